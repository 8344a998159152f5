// Okabe–Ito: eight colours told apart under the common colour-vision deficiencies.
export const OKABE_ITO = [
  "#0072B2", // blue
  "#E69F00", // orange
  "#009E73", // bluish green
  "#CC79A7", // reddish purple
  "#56B4E9", // sky blue
  "#D55E00", // vermillion
  "#F0E442", // yellow
  "#000000", // black
];

export const NEGATIVE = "#0072B2";
export const POSITIVE = "#D55E00";

/** The i-th palette colour (cycling). */
export function colour(i) {
  return OKABE_ITO[i % OKABE_ITO.length];
}

// Viridis (matplotlib's perceptually uniform sequential map, sampled at nine stops): dark
// purple → yellow, ordered by lightness, read the same under the common colour-vision
// deficiencies and in greyscale. The beeswarm colours feature values with it.
export const VIRIDIS = [
  "#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725",
];

/** No value to colour by (missing, or a non-numeric feature). */
export const GREY = "#a0a0a0";

/** The viridis colour at t in [0, 1] (clamped), linear between the stops. */
export function sequential(t) {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const [a, b] = [VIRIDIS[i], VIRIDIS[i + 1]].map(rgb);
  const mix = a.map((v, k) => Math.round(v + (b[k] - v) * (x - i)));
  return `rgb(${mix.join(", ")})`;
}

/** A CSS gradient through the viridis stops, left (low) to right (high). */
export const SEQUENTIAL_GRADIENT = `linear-gradient(to right, ${VIRIDIS.join(", ")})`;

function rgb(hex) {
  return [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));
}
