//! Native models replayed against their libraries (`tests/golden/models/*.json`, written by
//! `tests/golden/generate_models.py`): XGBoost JSON and LightGBM text loaded by the core, and
//! scikit-learn models converted by `aequa.explain.to_native`, predict what XGBoost 3.2,
//! LightGBM 4.7 and scikit-learn 1.9.1 predict — bit for bit where the fixture says
//! tolerance 0 — and survive a JSON round trip unchanged.

use std::fs;
use std::path::PathBuf;

use aequa_core::model::{lightgbm, xgboost, Model, NativeModel, Output};
use ndarray::Array2;
use serde_json::Value;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/golden/models")
}

fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap_or(f64::NAN))
                .collect()
        })
        .collect();
    let (n, p) = (rows.len(), rows[0].len());
    Array2::from_shape_vec((n, p), rows.concat()).unwrap()
}

fn load(case: &Value, output: &str) -> NativeModel {
    let text = case["model"].as_str().unwrap();
    let parsed = |o: &str| o.parse::<Output>().unwrap();
    match case["format"].as_str().unwrap() {
        "xgboost_json" => NativeModel::Trees(xgboost::from_json(text, parsed(output)).unwrap()),
        "lightgbm_text" => NativeModel::Trees(lightgbm::from_text(text, parsed(output)).unwrap()),
        "native_json" => NativeModel::from_json(text).unwrap(),
        other => panic!("unknown format {other}"),
    }
}

#[test]
fn native_models_predict_what_their_libraries_predict() {
    let mut files: Vec<_> = fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 10,
        "missing fixtures: run tests/golden/generate_models.py"
    );
    let mut checks = 0;
    for path in files {
        let case: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        let name = case["name"].as_str().unwrap();
        let x = matrix(&case["X"]);
        for check in case["checks"].as_array().unwrap() {
            let output = check["output"].as_str().unwrap();
            let tolerance = check["tolerance"].as_f64().unwrap();
            let expected = matrix(&check["expected"]);
            let model = load(&case, output);
            let got = model.predict(x.view()).unwrap();
            assert_eq!(got.dim(), expected.dim(), "{name} {output}");
            for ((i, g), e) in got.indexed_iter().zip(expected.iter()) {
                let ok = if tolerance == 0.0 {
                    g == e
                } else {
                    (g - e).abs() <= tolerance
                };
                assert!(ok, "{name} {output} {i:?}: aequa {g:e}, library {e:e}");
            }
            let again = NativeModel::from_json(&model.to_json().unwrap()).unwrap();
            assert_eq!(
                again.predict(x.view()).unwrap(),
                got,
                "{name}: JSON round trip"
            );
            checks += 1;
        }
    }
    assert_eq!(checks, 17, "checks replayed");
}
