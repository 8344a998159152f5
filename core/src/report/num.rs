//! A float that serialises NaN and infinities as JSON `null` (JSON has no NaN) and reads
//! `null` back as NaN, so undefined values survive the trip through JSON and JavaScript.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An `f64` whose non-finite values are `null` in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Num(pub f64);

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.is_finite() {
            s.serialize_f64(self.0)
        } else {
            s.serialize_none()
        }
    }
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Num(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN)))
    }
}

impl From<f64> for Num {
    fn from(v: f64) -> Self {
        Num(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_round_trips_through_null() {
        let json = serde_json::to_string(&[Num(0.25), Num(f64::NAN), Num(f64::INFINITY)]).unwrap();
        assert_eq!(json, "[0.25,null,null]");
        let back: Vec<Num> = serde_json::from_str(&json).unwrap();
        assert_eq!(back[0].0, 0.25);
        assert!(back[1].0.is_nan());
    }
}
