package org.eratestbed.cli.bench;

/**
 * One measured figure: the mean over measurement iterations, the half-width of JMH's 99.9% confidence
 * interval ({@code NaN} when there were too few iterations to compute one), and how many iterations.
 */
public record BenchResult(Figure figure, double value, double error, long samples) {
}
