//! The part of a `MetricFrameReport` that `disparity` reads: the compatibility convention, the
//! control features and the aggregate rows. Reading only these (the rest takes its defaults)
//! keeps the readers of the report's other structs (rows, sizes, tests, intervals, ...) out of
//! the WASM module, where nothing else deserializes a report. If the core's `disparity` starts
//! reading another field, add it here.

use aequa_core::data::groups::FeatureLevels;
use aequa_core::fairness::metric::Convention;
use aequa_core::report::frame::{AggregateRow, FrameParams, FrameValues};
use aequa_core::report::{MetricFrameReport, Num};
use serde_json::Value;

use crate::fields::{invalid_type, Fields, Msg, Read};

/// What `disparity` needs of a report (unknown and unread keys are ignored, as before).
#[derive(Debug)]
pub struct ReportView {
    compat: Convention,
    control: Vec<FeatureLevels>,
    aggregates: Vec<AggregateRow>,
}

impl Read for ReportView {
    fn read(v: &Value) -> Result<Self, Msg> {
        let report = Fields::lenient(v)?;
        let params = Fields::lenient(report.raw("params").ok_or("missing field `params`")?)?;
        let values = Fields::lenient(report.raw("values").ok_or("missing field `values`")?)?;
        Ok(ReportView {
            compat: params.req("compat")?,
            control: report.req("control")?,
            aggregates: values.req("aggregates")?,
        })
    }
}

/// One aggregate row, as its derived reader reads it: keys in the object's order, others
/// ignored; a missing number is NaN (as `Num` reads an absent value), a missing text an error.
impl Read for AggregateRow {
    fn read(v: &Value) -> Result<Self, Msg> {
        let Value::Object(map) = v else {
            return Err(invalid_type(v, "struct AggregateRow"));
        };
        let nan = || Num(f64::NAN);
        let mut row = AggregateRow {
            control: Vec::new(),
            metric: String::new(),
            group_min: nan(),
            group_max: nan(),
            difference_between_groups: nan(),
            difference_to_overall: nan(),
            ratio_between_groups: nan(),
            ratio_to_overall: nan(),
        };
        let (mut control, mut metric) = (None, None);
        for (key, value) in map {
            let slot = match key.as_str() {
                "control" => {
                    control = Some(Read::read(value)?);
                    continue;
                }
                "metric" => {
                    metric = Some(Read::read(value)?);
                    continue;
                }
                "group_min" => &mut row.group_min,
                "group_max" => &mut row.group_max,
                "difference_between_groups" => &mut row.difference_between_groups,
                "difference_to_overall" => &mut row.difference_to_overall,
                "ratio_between_groups" => &mut row.ratio_between_groups,
                "ratio_to_overall" => &mut row.ratio_to_overall,
                _ => continue,
            };
            *slot = Num(Option::<f64>::read(value)?.unwrap_or(f64::NAN));
        }
        row.control = control.ok_or("missing field `control`")?;
        row.metric = metric.ok_or("missing field `metric`")?;
        Ok(row)
    }
}

/// A feature's name and levels (`{name, levels}`; other keys are ignored, as before).
impl Read for FeatureLevels {
    fn read(v: &Value) -> Result<Self, Msg> {
        let f = Fields::lenient(v)?;
        Ok(FeatureLevels {
            name: f.req("name")?,
            levels: f.req("levels")?,
        })
    }
}

impl ReportView {
    /// A report holding the parts read; everything else empty.
    pub fn into_report(self) -> MetricFrameReport {
        MetricFrameReport {
            schema_version: 0,
            kind: "metric_frame".to_string(),
            params: FrameParams {
                metrics: Vec::new(),
                pos_label: None,
                threshold: None,
                compat: self.compat,
                n_rows: 0,
                weighted: false,
                min_group_size: 0,
            },
            sensitive: Vec::new(),
            control: self.control,
            sizes: Vec::new(),
            values: FrameValues {
                aggregates: self.aggregates,
                ..FrameValues::default()
            },
            undefined: Vec::new(),
            warnings: Vec::new(),
            tests: Vec::new(),
            intervals: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test;

    /// A row as is, without each key and with each key set to odd values: the same row (NaN
    /// compared as NaN) or message by hand and by the derived reader.
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn aggregate_rows_read_as_serde_reads_them() {
        let row: Value = serde_json::from_str(
            r#"{"control": ["a"], "metric": "selection_rate", "group_min": 0.25,
                "group_max": null, "difference_between_groups": 0.5,
                "difference_to_overall": 0.1, "ratio_between_groups": 0.5,
                "ratio_to_overall": 0.9, "extra": 1}"#,
        )
        .unwrap();
        let keys: Vec<String> = row.as_object().unwrap().keys().cloned().collect();
        let mut cases = vec![row.clone(), Value::Null, serde_json::json!(true)];
        for key in &keys {
            let mut without = row.clone();
            without.as_object_mut().unwrap().remove(key);
            cases.push(without);
            for odd in ["null", "1", "\"x\"", "[\"b\"]", "[1]", "{}"] {
                let mut case = row.clone();
                case[key.as_str()] = serde_json::from_str(odd).unwrap();
                cases.push(case);
            }
        }
        let text = |r: &AggregateRow| serde_json::to_string(r).unwrap();
        for case in cases {
            let by_hand = AggregateRow::read(&case);
            let by_serde = AggregateRow::deserialize(&case).map_err(|e| e.to_string());
            match (by_hand, by_serde) {
                (Ok(a), Ok(b)) => assert_eq!(text(&a), text(&b), "{case}"),
                (Err(a), Err(b)) => assert_eq!(a, b, "{case}"),
                (a, b) => panic!("{case}: by hand {a:?}, serde {b:?}"),
            }
        }
    }
}
