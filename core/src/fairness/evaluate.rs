//! Turn cell counts into every number of a report: per-stratum overall values, per-group
//! values and the six summaries per metric. Values live in one flat vector with a fixed
//! layout, so bootstrap replicates can be stacked and summarised column by column.

use std::collections::BTreeMap;

use crate::data::groups::GroupLayout;
use crate::fairness::aggregate::summarize;
use crate::fairness::counts::CellCounts;
use crate::fairness::metric::{Convention, Metric};
use crate::report::{AggregateRow, FrameValues, Num, Row, Undefined};

/// Offsets of the parts of the flat value vector.
#[derive(Debug, Clone, Copy)]
pub struct FlatLayout {
    strata: usize,
    groups: usize,
    metrics: usize,
}

impl FlatLayout {
    /// Layout for a group layout and a number of metrics.
    pub fn new(layout: &GroupLayout, n_metrics: usize) -> Self {
        FlatLayout {
            strata: layout.n_strata(),
            groups: layout.n_groups(),
            metrics: n_metrics,
        }
    }

    /// Length of the flat vector.
    pub fn len(&self) -> usize {
        self.strata * self.metrics * (1 + self.groups + 6)
    }

    /// True when there is nothing to hold.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn overall(&self, s: usize, m: usize) -> usize {
        s * self.metrics + m
    }

    fn group(&self, s: usize, g: usize, m: usize) -> usize {
        self.strata * self.metrics + (s * self.groups + g) * self.metrics + m
    }

    fn aggregate(&self, s: usize, m: usize, k: usize) -> usize {
        self.strata * self.metrics * (1 + self.groups) + (s * self.metrics + m) * 6 + k
    }
}

/// Evaluate every metric on every cell and stratum; undefined values are recorded in
/// `undefined` when given.
pub fn evaluate_flat(
    cells: &[CellCounts],
    layout: &GroupLayout,
    metrics: &[Metric],
    convention: Convention,
    mut undefined: Option<&mut Vec<Undefined>>,
) -> Vec<f64> {
    let flat = FlatLayout::new(layout, metrics.len());
    let mut out = vec![f64::NAN; flat.len()];
    let n_groups = layout.n_groups();
    let mut group_values = vec![f64::NAN; n_groups];
    for (s, stratum) in cells.chunks(n_groups.max(1)).enumerate() {
        let total = CellCounts::total(stratum);
        for (m, metric) in metrics.iter().enumerate() {
            let (overall, why) = metric.evaluate(&total, convention);
            if let (Some(why), Some(list)) = (why, undefined.as_deref_mut()) {
                list.push(undefined_entry(layout, *metric, s, None, why, convention));
            }
            put(&mut out, flat.overall(s, m), overall);
            for (g, cell) in stratum.iter().enumerate() {
                let (v, why) = metric.evaluate(cell, convention);
                if let (Some(why), Some(list)) = (why, undefined.as_deref_mut()) {
                    list.push(undefined_entry(
                        layout,
                        *metric,
                        s,
                        Some(g),
                        why,
                        convention,
                    ));
                }
                put(&mut out, flat.group(s, g, m), v);
                if let Some(slot) = group_values.get_mut(g) {
                    *slot = v;
                }
            }
            for (k, v) in summarize(overall, &group_values)
                .to_array()
                .into_iter()
                .enumerate()
            {
                put(&mut out, flat.aggregate(s, m, k), v);
            }
        }
    }
    out
}

fn put(out: &mut [f64], i: usize, v: f64) {
    if let Some(slot) = out.get_mut(i) {
        *slot = v;
    }
}

fn undefined_entry(
    layout: &GroupLayout,
    metric: Metric,
    s: usize,
    g: Option<usize>,
    why: &str,
    convention: Convention,
) -> Undefined {
    let reason = match convention {
        Convention::Aequa => why.to_string(),
        Convention::Fairlearn => {
            format!("{why} (compat=\"fairlearn\": Fairlearn's value is reported)")
        }
    };
    Undefined {
        metric: metric.name().to_string(),
        control: layout.stratum_labels(s),
        group: g.map(|g| layout.group_labels(g)).unwrap_or_default(),
        reason,
    }
}

/// Unflatten values into report rows.
pub fn to_values(flat_values: &[f64], layout: &GroupLayout, metrics: &[Metric]) -> FrameValues {
    let flat = FlatLayout::new(layout, metrics.len());
    let get = |i: usize| Num(flat_values.get(i).copied().unwrap_or(f64::NAN));
    let row = |control: Vec<String>, group: Vec<String>, index: &dyn Fn(usize) -> usize| Row {
        control,
        group,
        // Inserted one by one: `collect` into a map sorts first, a stable sort instantiated
        // for this one pair type in the WASM module.
        values: metrics
            .iter()
            .enumerate()
            .fold(BTreeMap::new(), |mut map, (m, metric)| {
                map.insert(metric.name().to_string(), get(index(m)));
                map
            }),
    };
    let mut values = FrameValues::default();
    for s in 0..layout.n_strata() {
        let control = layout.stratum_labels(s);
        values
            .overall
            .push(row(control.clone(), Vec::new(), &|m| flat.overall(s, m)));
        for g in 0..layout.n_groups() {
            values
                .by_group
                .push(row(control.clone(), layout.group_labels(g), &|m| {
                    flat.group(s, g, m)
                }));
        }
        for (m, metric) in metrics.iter().enumerate() {
            let a = |k| get(flat.aggregate(s, m, k));
            values.aggregates.push(AggregateRow {
                control: control.clone(),
                metric: metric.name().to_string(),
                group_min: a(0),
                group_max: a(1),
                difference_between_groups: a(2),
                difference_to_overall: a(3),
                ratio_between_groups: a(4),
                ratio_to_overall: a(5),
            });
        }
    }
    values
}
