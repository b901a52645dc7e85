package dev.amadeus.eval.plot;

import dev.amadeus.eval.PerplexitySweep;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Perplexity against context length, one line per RoPE scaling method. Contexts are evenly spaced
 * categories in increasing order (sweeps usually double them), each labelled with its length.
 */
public final class PerplexityChart {
    public static final int WIDTH = 900;
    public static final int HEIGHT = 560;

    /** Colours far apart from each other (XChart's default palette has two near-identical yellows). */
    private static final Color[] PALETTE = {
            new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
            new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

    private PerplexityChart() {
    }

    public static void write(List<PerplexitySweep.Outcome> outcomes, String title, Path file) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("context length (tokens)").yAxisTitle("perplexity").build();
        chart.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
        chart.getStyler().setOverlapped(true); // every method's point sits on its context, not beside it
        chart.getStyler().setYAxisDecimalPattern("#,##0.##");
        chart.getStyler().setSeriesColors(PALETTE);
        List<Integer> contexts = outcomes.stream().map(o -> o.point().contextLength()).distinct().sorted().toList();
        Map<String, Map<Integer, Double>> byMethod = new LinkedHashMap<>();
        for (PerplexitySweep.Outcome o : outcomes) {
            byMethod.computeIfAbsent(o.point().method(), k -> new LinkedHashMap<>())
                    .put(o.point().contextLength(), o.result().perplexity());
        }
        List<String> labels = contexts.stream().map(String::valueOf).toList();
        for (var e : byMethod.entrySet()) {
            List<Double> y = new ArrayList<>();
            for (int ctx : contexts) y.add(e.getValue().get(ctx)); // null: not measured, a gap in the line
            chart.addSeries(e.getKey(), labels, y).setMarker(SeriesMarkers.CIRCLE);
        }
        Png.write(chart, file);
    }
}
