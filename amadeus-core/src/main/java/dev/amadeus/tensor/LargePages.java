package dev.amadeus.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Off-heap memory for large weight copies, backed by 2 MiB pages where the OS gives them: anonymous
 * {@code mmap} plus {@code madvise(MADV_HUGEPAGE)} through the FFM API. On Linux with transparent huge pages
 * in {@code madvise} mode (the common default), {@link Arena#allocate} gets 4 KiB pages: one page fault per
 * 4 KiB when first written (a 600 MB copy took 1.5 s of faults on a virtual machine against 0.05 s in
 * 2 MiB pages), and one TLB entry per 4 KiB when the kernels stream the weights. Where the calls are not
 * available (another OS, native access denied), the arena's own allocation is used.
 */
public final class LargePages {
    private static final long HUGE_PAGE = 2L << 20;
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int MADV_HUGEPAGE = 14;
    private static final int MADV_POPULATE_READ = 22;
    private static final long PAGE = 4096;
    private static final Native NATIVE = Native.find();

    private LargePages() {
    }

    /**
     * {@code bytes} of zeroed memory aligned to 64 bytes, freed when {@code arena} closes; in huge pages when
     * possible, for sizes of at least one huge page.
     */
    public static MemorySegment allocate(Arena arena, long bytes) {
        if (NATIVE == null || bytes < HUGE_PAGE) return arena.allocate(bytes, 64);
        // Whole huge pages, so that the mapping's end is not left in small pages.
        long size = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
        MemorySegment mapped = NATIVE.map(size);
        if (mapped == null) return arena.allocate(bytes, 64);
        return mapped.reinterpret(size, arena, NATIVE::unmap).asSlice(0, bytes);
    }

    /**
     * Maps the pages of {@code mapped} (part of a file mapping) into the process in one call, before it is read
     * through: on a virtual machine each first read of a 4 KiB page otherwise costs a page fault of a few
     * microseconds, which made copying a 600 MB model take a second. Advice only: where the call is missing
     * (Linux before 5.14, another OS) the pages fault in as they are read.
     */
    public static void populate(MemorySegment mapped) {
        if (NATIVE == null || !mapped.isNative() || mapped.byteSize() == 0) return;
        long start = mapped.address() / PAGE * PAGE;
        long end = mapped.address() + mapped.byteSize();
        try {
            int ignored = (int) NATIVE.madvise.invokeExact(MemorySegment.ofAddress(start), end - start, MADV_POPULATE_READ);
        } catch (Throwable e) {
            // Advice only.
        }
    }

    /** The libc calls, bound once; null where they cannot be. */
    private record Native(MethodHandle mmap, MethodHandle madvise, MethodHandle munmap) {
        static Native find() {
            if (!System.getProperty("os.name", "").startsWith("Linux")) return null;
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                return new Native(
                        linker.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS,
                                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG)),
                        linker.downcallHandle(libc.find("madvise").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT)),
                        linker.downcallHandle(libc.find("munmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG)));
            } catch (RuntimeException | LinkageError e) {
                return null;
            }
        }

        /** An anonymous private mapping of {@code size} bytes advised to use huge pages, or null if mmap failed. */
        MemorySegment map(long size) {
            try {
                MemorySegment p = (MemorySegment) mmap.invokeExact(MemorySegment.NULL, size, PROT_READ_WRITE,
                        MAP_PRIVATE_ANONYMOUS, -1, 0L);
                if (p.address() == -1L || p.address() == 0L) return null;
                // Advice only: without huge pages the mapping still works, in small pages.
                int ignored = (int) madvise.invokeExact(p, size, MADV_HUGEPAGE);
                return p;
            } catch (Throwable e) {
                return null;
            }
        }

        void unmap(MemorySegment segment) {
            try {
                int ignored = (int) munmap.invokeExact(segment, segment.byteSize());
            } catch (Throwable e) {
                throw new IllegalStateException("munmap failed", e);
            }
        }
    }
}
