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
