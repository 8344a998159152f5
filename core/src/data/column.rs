//! A read-only numeric column in whatever dtype the caller holds, so labels and predictions
//! arrive without a conversion copy (`int64` labels from pandas, `float32` scores, `bool`s).

use ndarray::ArrayView1;

/// A borrowed numeric column.
#[derive(Debug, Clone, Copy)]
pub enum Column<'a> {
    /// 64-bit floats.
    F64(ArrayView1<'a, f64>),
    /// 32-bit floats.
    F32(ArrayView1<'a, f32>),
    /// 64-bit integers.
    I64(ArrayView1<'a, i64>),
    /// 32-bit integers.
    I32(ArrayView1<'a, i32>),
    /// Booleans (true is 1).
    Bool(ArrayView1<'a, bool>),
}

impl Column<'_> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Column::F64(a) => a.len(),
            Column::F32(a) => a.len(),
            Column::I64(a) => a.len(),
            Column::I32(a) => a.len(),
            Column::Bool(a) => a.len(),
        }
    }

    /// True when the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Value at `i` as `f64` (`None` past the end).
    pub fn get(&self, i: usize) -> Option<f64> {
        match self {
            Column::F64(a) => a.get(i).copied(),
            Column::F32(a) => a.get(i).map(|v| f64::from(*v)),
            #[allow(clippy::cast_precision_loss)]
            Column::I64(a) => a.get(i).map(|v| *v as f64),
            Column::I32(a) => a.get(i).map(|v| f64::from(*v)),
            Column::Bool(a) => a.get(i).map(|v| f64::from(u8::from(*v))),
        }
    }

    /// Visit every value in order as `f64`, monomorphised per dtype.
    pub fn for_each(&self, mut f: impl FnMut(usize, f64)) {
        match self {
            Column::F64(a) => a.iter().enumerate().for_each(|(i, v)| f(i, *v)),
            Column::F32(a) => a.iter().enumerate().for_each(|(i, v)| f(i, f64::from(*v))),
            #[allow(clippy::cast_precision_loss)]
            Column::I64(a) => a.iter().enumerate().for_each(|(i, v)| f(i, *v as f64)),
            Column::I32(a) => a.iter().enumerate().for_each(|(i, v)| f(i, f64::from(*v))),
            Column::Bool(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, v)| f(i, f64::from(u8::from(*v)))),
        }
    }

    /// Materialise as an owned `f64` vector (used only where random access dominates).
    pub fn to_vec(&self) -> Vec<f64> {
        let mut out = Vec::with_capacity(self.len());
        self.for_each(|_, v| out.push(v));
        out
    }
}

impl<'a> From<ArrayView1<'a, f64>> for Column<'a> {
    fn from(a: ArrayView1<'a, f64>) -> Self {
        Column::F64(a)
    }
}

impl<'a> From<&'a [f64]> for Column<'a> {
    fn from(a: &'a [f64]) -> Self {
        Column::F64(ArrayView1::from(a))
    }
}
