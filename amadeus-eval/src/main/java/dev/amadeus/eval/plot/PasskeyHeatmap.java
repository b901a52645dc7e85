package dev.amadeus.eval.plot;

import dev.amadeus.eval.Passkey;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;

import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Passkey accuracy as a heatmap: prompt length across, key depth down, 0 (red) to 1 (green). */
public final class PasskeyHeatmap {
    public static final int WIDTH = 900;
    public static final int HEIGHT = 560;

    private PasskeyHeatmap() {
    }

    public static void write(List<Passkey.Cell> cells, String title, Path file) {
        List<Integer> lengths = cells.stream().map(Passkey.Cell::length).distinct().toList();
        List<Double> depths = cells.stream().map(Passkey.Cell::depth).distinct().toList();
        List<Number[]> values = new ArrayList<>();
        for (Passkey.Cell c : cells) {
            values.add(new Number[]{lengths.indexOf(c.length()), depths.indexOf(c.depth()), c.accuracy()});
        }
        HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("prompt length (tokens)").yAxisTitle("key depth").build();
        chart.getStyler().setShowValue(true);
        chart.getStyler().setMin(0);
        chart.getStyler().setMax(1);
        chart.getStyler().setRangeColors(new Color[]{new Color(0xD7301F), new Color(0xFEE08B), new Color(0x1A9850)});
        chart.getStyler().setPlotContentSize(1);
        List<String> depthLabels = depths.stream().map(d -> String.format(java.util.Locale.ROOT, "%.0f%%", 100 * d)).toList();
        List<String> lengthLabels = lengths.stream().map(String::valueOf).toList();
        chart.addSeries("accuracy", lengthLabels, depthLabels, values);
        Png.write(chart, file);
    }
}
