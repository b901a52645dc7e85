package dev.amadeus.eval.plot;

import dev.amadeus.AmadeusException;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.nio.file.Path;

/** Writes a chart as a PNG file at exactly the given path (XChart's own saver appends ".png"). */
final class Png {
    private Png() {
    }

    static void write(Chart<?, ?> chart, Path file) {
        // Plots are drawn off-screen: no display is needed or wanted.
        System.setProperty("java.awt.headless", "true");
        try {
            if (!ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", file.toFile())) {
                throw new AmadeusException(file + ": no PNG writer available");
            }
        } catch (IOException e) {
            throw new AmadeusException(file + ": cannot write the plot (" + e.getMessage() + ")");
        }
    }
}
