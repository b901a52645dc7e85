package dev.amadeus.tensor;

/** Holds the kernels chosen once per process for {@link TensorKernels#preferred()}. */
final class KernelChoice {
    static final TensorKernels PREFERRED = choose();

    private KernelChoice() {
    }

    private static TensorKernels choose() {
        if ("scalar".equals(System.getProperty("amadeus.kernels"))) return ScalarKernels.INSTANCE;
        try {
            return VectorKernels.INSTANCE;
        } catch (LinkageError e) {
            return ScalarKernels.INSTANCE;
        }
    }
}
