// Package charts computes the geometry of the lab's charts: scales, ticks,
// bars, the speed-up curve and the timeline's lanes. It draws nothing: the
// UI turns the shapes it returns into SVG. Keeping the arithmetic here, in
// pure Go, lets it be tested without a browser.
//
// Coordinates are SVG user units (pixels at scale 1): x grows to the right,
// y grows downwards. Times are microseconds.
package charts
