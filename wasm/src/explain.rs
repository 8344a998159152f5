//! Explanations from JS: TreeSHAP on native tree ensembles, the model-agnostic Shapley methods
//! (exact, permutation, kernel) and the inspection methods (permutation importance, partial
//! dependence, ALE) on native models or JS functions, and linear SHAP. `options` is the core's
//! options object (snake_case keys: the JSON the Python wheel hands to the core), so the same
//! options and seed give the report Python's `to_json()` gives.

use aequa_core::explain::ale::{accumulated_local_effects, AleOptions};
use aequa_core::explain::exact::{exact_shapley, ExactOptions};
use aequa_core::explain::kernel::{kernel_shapley, KernelOptions};
use aequa_core::explain::linear_shap::{linear_shap as core_linear_shap, LinearShapOptions};
use aequa_core::explain::partial_dependence::{partial_dependence as core_pd, DependenceOptions};
use aequa_core::explain::permutation::{permutation_shapley, PermutationOptions};
use aequa_core::explain::permutation_importance::{
    check_x, permutation_importance as core_pi, PermutationInput,
    PermutationOptions as ImportanceOptions,
};
use aequa_core::explain::scoring::Target;
use aequa_core::explain::TreeShapParams;
use aequa_core::explain::{tree_shap as core_tree_shap, tree_shap_interaction_values, trees_of};
use aequa_core::model::NativeModel;
use aequa_core::report::{ExplanationReport, Num};
use aequa_core::Error;
use ndarray::{Array1, Array2};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::args::{core_error, export, floats, options_of, Fields, Input, Matrix, Msg, Nums, Read};
use crate::input::{encode_all, FeatureArg};
use crate::model::{native, ModelArg};

/// Parsed arguments, `x`, the background (if any) and the options.
type Parsed<A, O> = (A, Array2<f64>, Option<Array2<f64>>, O);

/// A Shapley method of the core.
type ShapleyFn<O> = fn(
    &dyn aequa_core::model::Model,
    ndarray::ArrayView2<'_, f64>,
    ndarray::ArrayView2<'_, f64>,
    &O,
) -> aequa_core::Result<ExplanationReport>;

/// `{model, x, background?, options?}`: the input of the Shapley methods.
#[derive(Debug)]
struct ShapArgs {
    model: Option<Value>,
    x: Matrix,
    background: Option<Matrix>,
    options: Option<Value>,
}

impl Read for ShapArgs {
    fn read(v: &Value) -> Result<Self, Msg> {
        let f = Fields::of(v, &["model", "x", "background", "options"])?;
        Ok(ShapArgs {
            model: f.opt("model")?,
            x: f.req("x")?,
            background: f.opt("background")?,
            options: f.opt("options")?,
        })
    }
}

impl ShapArgs {
    fn read<O: Read + Default>(input: &Input) -> Result<Parsed<Self, O>, JsError> {
        let mut args: Self = input.parse()?;
        let x = args.x.array("x")?;
        let bg = args
            .background
            .as_ref()
            .map(|b| b.array("background"))
            .transpose()?;
        let options = options_of(args.options.take())?;
        Ok((args, x, bg, options))
    }
}

fn need_background(bg: Option<Array2<f64>>) -> Result<Array2<f64>, JsError> {
    bg.ok_or_else(|| {
        JsError::new(
            "background: expected background rows (a matrix, e.g. 100 training rows) to integrate absent features out, found none",
        )
    })
}

/// Exact, permutation and kernel Shapley values share one body.
fn shapley<O: Read + Default>(
    input: &Input,
    run: ShapleyFn<O>,
) -> Result<ExplanationReport, JsError> {
    let (args, x, bg, options) = ShapArgs::read::<O>(input)?;
    let bg = need_background(bg)?;
    let probe = if x.nrows() > 0 { x.view() } else { bg.view() };
    let model = ModelArg::resolve(input, args.model.as_ref(), probe)?;
    run(model.as_model(), x.view(), bg.view(), &options).map_err(core_error)
}

fn compute_exact(input: &Input) -> Result<ExplanationReport, JsError> {
    shapley::<ExactOptions>(input, |m, x, bg, o| exact_shapley(m, x, bg, o))
}

fn compute_permutation(input: &Input) -> Result<ExplanationReport, JsError> {
    shapley::<PermutationOptions>(input, |m, x, bg, o| permutation_shapley(m, x, bg, o))
}

fn compute_kernel(input: &Input) -> Result<ExplanationReport, JsError> {
    shapley::<KernelOptions>(input, |m, x, bg, o| kernel_shapley(m, x, bg, o))
}

fn compute_linear(input: &Input) -> Result<ExplanationReport, JsError> {
    let (args, x, bg, options) = ShapArgs::read::<LinearShapOptions>(input)?;
    let bg = need_background(bg)?;
    match native(args.model.as_ref())? {
        NativeModel::Linear(lm) => {
            core_linear_shap(&lm, x.view(), bg.view(), &options).map_err(core_error)
        }
        NativeModel::Trees(_) => Err(core_error(Error::invalid(
            "model",
            "linearShap needs a linear model; use treeShap for tree ensembles or exactShap / permutationShap for any model",
        ))),
    }
}

fn compute_tree(input: &Input) -> Result<ExplanationReport, JsError> {
    let (args, x, bg, params) = ShapArgs::read::<TreeShapParams>(input)?;
    let model = native(args.model.as_ref())?;
    let trees = trees_of(&model).map_err(core_error)?;
    core_tree_shap(trees, x.view(), bg.as_ref().map(|b| b.view()), &params).map_err(core_error)
}

/// SHAP interaction values, rows × features × features × outputs, row-major.
#[derive(Debug, Serialize)]
struct Interactions {
    shape: [usize; 4],
    values: Vec<Num>,
}

fn compute_interactions(input: &Input) -> Result<Interactions, JsError> {
    let (args, x, bg, params) = ShapArgs::read::<TreeShapParams>(input)?;
    let model = native(args.model.as_ref())?;
    let trees = trees_of(&model).map_err(core_error)?;
    let v = tree_shap_interaction_values(trees, x.view(), bg.as_ref().map(|b| b.view()), &params)
        .map_err(core_error)?;
    let d = v.dim();
    Ok(Interactions {
        shape: [d.0, d.1, d.2, d.3],
        values: v.iter().map(|v| Num(*v)).collect(),
    })
}

export!(
    /// Path-dependent (no background) or interventional (with `background`) TreeSHAP of a
    /// native tree ensemble's raw output.
    tree_shap, "treeShap", tree_shap_json, "treeShapJson", "TreeShapInput", "ExplanationReport",
    compute_tree
);
export!(
    /// Path-dependent SHAP interaction values of a native tree ensemble.
    tree_shap_interactions, "treeShapInteractions", tree_shap_interactions_json,
    "treeShapInteractionsJson", "TreeShapInput", "InteractionValues", compute_interactions
);
export!(
    /// Exact Shapley values by coalition enumeration (native model or JS function).
    exact_shap, "exactShap", exact_shap_json, "exactShapJson", "ShapInput<ExactOptions>",
    "ExplanationReport", compute_exact
);
export!(
    /// Antithetic permutation Shapley values (SHAP's `max_evals` budget, seeded).
    permutation_shap, "permutationShap", permutation_shap_json, "permutationShapJson",
    "ShapInput<PermutationShapOptions>", "ExplanationReport", compute_permutation
);
export!(
    /// KernelSHAP (seeded).
    kernel_shap, "kernelShap", kernel_shap_json, "kernelShapJson",
    "ShapInput<KernelOptions>", "ExplanationReport", compute_kernel
);
export!(
    /// Closed-form interventional SHAP of a native linear model's scores.
    linear_shap, "linearShap", linear_shap_json, "linearShapJson",
    "ShapInput<LinearShapOptions>", "ExplanationReport", compute_linear
);

// ---------------------------------------------------------------- inspection

/// `{model, x, y, sampleWeight?, sensitive?, permutations?, sampleIndices?, options?}`.
#[derive(Debug)]
struct ImportanceArgs {
    model: Option<Value>,
    x: Matrix,
    y: Nums,
    sample_weight: Option<Nums>,
    sensitive: Vec<FeatureArg>,
    /// Caller-chosen permutations (repeats × rows) replacing the seeded draw.
    permutations: Option<Vec<Vec<i64>>>,
    sample_indices: Option<Vec<i64>>,
    options: Option<ImportanceOptions>,
}

impl Read for ImportanceArgs {
    fn read(v: &Value) -> Result<Self, Msg> {
        let f = Fields::of(
            v,
            &[
                "model",
                "x",
                "y",
                "sampleWeight",
                "sensitive",
                "permutations",
                "sampleIndices",
                "options",
            ],
        )?;
        Ok(ImportanceArgs {
            model: f.opt("model")?,
            x: f.req("x")?,
            y: f.req("y")?,
            sample_weight: f.opt("sampleWeight")?,
            sensitive: f.or("sensitive", Vec::new())?,
            permutations: f.opt("permutations")?,
            sample_indices: f.opt("sampleIndices")?,
            options: f.opt("options")?,
        })
    }
}

fn int_matrix(argument: &str, rows: &[Vec<i64>]) -> Result<Array2<i64>, JsError> {
    let width = rows.first().map_or(0, Vec::len);
    if rows.iter().any(|r| r.len() != width) {
        return Err(JsError::new(&format!(
            "{argument}: expected every row to list {width} indices (as row 0)"
        )));
    }
    Array2::from_shape_vec((rows.len(), width), rows.concat())
        .map_err(|e| crate::args::arg_error(argument, &e))
}

fn compute_importance(input: &Input) -> Result<aequa_core::report::ImportanceReport, JsError> {
    let args: ImportanceArgs = input.parse()?;
    let x = args.x.array("x")?;
    let y = Array1::from(floats(&args.y));
    check_x(x.view(), y.len()).map_err(core_error)?;
    let model = ModelArg::resolve(input, args.model.as_ref(), x.view())?;
    let w = args.sample_weight.as_ref().map(|w| Array1::from(floats(w)));
    let encoded = encode_all("sensitive", &args.sensitive).map_err(core_error)?;
    let perms = args
        .permutations
        .as_deref()
        .map(|p| int_matrix("permutations", p))
        .transpose()?;
    let rows = args.sample_indices.clone().map(Array1::from);
    let options = args.options.unwrap_or_default();
    let input = PermutationInput {
        x: x.view(),
        target: Target {
            y_true: y.view(),
            sample_weight: w.as_ref().map(|a| a.view()),
            sensitive: encoded.iter().map(|e| e.feature()).collect(),
        },
        permutations: perms.as_ref().map(|a| a.view()),
        sample_indices: rows.as_ref().map(|a| a.view()),
    };
    core_pi(model.as_model(), &input, &options).map_err(core_error)
}

/// `{model, x, sampleWeight?, options?}`.
#[derive(Debug)]
struct DependenceArgs {
    model: Option<Value>,
    x: Matrix,
    sample_weight: Option<Nums>,
    options: Option<Value>,
}

impl Read for DependenceArgs {
    fn read(v: &Value) -> Result<Self, Msg> {
        let f = Fields::of(v, &["model", "x", "sampleWeight", "options"])?;
        Ok(DependenceArgs {
            model: f.opt("model")?,
            x: f.req("x")?,
            sample_weight: f.opt("sampleWeight")?,
            options: f.opt("options")?,
        })
    }
}

fn compute_pd(input: &Input) -> Result<aequa_core::report::DependenceReport, JsError> {
    let args: DependenceArgs = input.parse()?;
    let x = args.x.array("x")?;
    check_x(x.view(), x.nrows()).map_err(core_error)?;
    let model = ModelArg::resolve(input, args.model.as_ref(), x.view())?;
    let w = args.sample_weight.as_ref().map(|w| Array1::from(floats(w)));
    let options: DependenceOptions = options_of(args.options)?;
    core_pd(
        model.as_model(),
        x.view(),
        w.as_ref().map(|a| a.view()),
        &options,
    )
    .map_err(core_error)
}

fn compute_ale(input: &Input) -> Result<aequa_core::report::AleReport, JsError> {
    let args: DependenceArgs = input.parse()?;
    if args.sample_weight.is_some() {
        return Err(JsError::new(
            "sampleWeight: accumulated local effects take no sample weights; leave it out",
        ));
    }
    let x = args.x.array("x")?;
    check_x(x.view(), x.nrows()).map_err(core_error)?;
    let model = ModelArg::resolve(input, args.model.as_ref(), x.view())?;
    let options: AleOptions = options_of(args.options)?;
    accumulated_local_effects(model.as_model(), x.view(), &options).map_err(core_error)
}

export!(
    /// Permutation importance (scikit-learn's, seeded; fairness disparities as scorers).
    permutation_importance, "permutationImportance", permutation_importance_json,
    "permutationImportanceJson", "ImportanceInput", "ImportanceReport", compute_importance
);
export!(
    /// Partial dependence and ICE curves (scikit-learn's brute method and grid).
    partial_dependence, "partialDependence", partial_dependence_json, "partialDependenceJson",
    "DependenceInput<DependenceOptions>", "DependenceReport", compute_pd
);
export!(
    /// First-order accumulated local effects of one feature.
    ale, "ale", ale_json, "aleJson", "DependenceInput<AleOptions>", "AleReport", compute_ale
);
