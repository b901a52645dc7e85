package dev.amadeus.eval.plot;

import dev.amadeus.eval.PerplexitySweep;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Perplexity against context length, one line per RoPE scaling method; both axes logarithmic. */
public final class PerplexityChart {
    public static final int WIDTH = 900;
    public static final int HEIGHT = 560;

    private PerplexityChart() {
    }

    public static void write(List<PerplexitySweep.Outcome> outcomes, String title, Path file) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("context length (tokens)").yAxisTitle("perplexity").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setXAxisDecimalPattern("#");
        chart.getStyler().setYAxisDecimalPattern("#.##");
        Map<String, List<PerplexitySweep.Outcome>> byMethod = new LinkedHashMap<>();
        for (PerplexitySweep.Outcome o : outcomes) {
            byMethod.computeIfAbsent(o.point().method(), k -> new java.util.ArrayList<>()).add(o);
        }
        for (var e : byMethod.entrySet()) {
            List<PerplexitySweep.Outcome> line = e.getValue().stream()
                    .sorted(java.util.Comparator.comparingInt(o -> o.point().contextLength())).toList();
            double[] x = line.stream().mapToDouble(o -> o.point().contextLength()).toArray();
            double[] y = line.stream().mapToDouble(o -> o.result().perplexity()).toArray();
            chart.addSeries(e.getKey(), x, y).setMarker(SeriesMarkers.CIRCLE);
        }
        Png.write(chart, file);
    }
}
