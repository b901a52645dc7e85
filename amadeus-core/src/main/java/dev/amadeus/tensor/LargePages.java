package dev.amadeus.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Off-heap memory for large weight copies: an anonymous {@code mmap} through the FFM API, whose pages are zero
 * without being written (an {@link Arena#allocate} clears its memory, a second pass over it). On request
 * ({@code -Damadeus.hugePages=true}) the mapping is advised to use 2 MiB pages ({@code madvise(MADV_HUGEPAGE)}).
 * That is not the default: on the virtual machine this was measured on, whose kernel hands free blocks of 8 MiB
 * back to the host ({@code page_reporting.page_reporting_order=11}), 2 MiB pages were mostly carved from such
 * blocks and each first touch waited for the host to supply memory again. In 4 KiB pages, which come from
 * smaller free blocks the machine still holds, ten alternating loads of each file were all faster (TinyLlama
 * Q4_0 1.13-1.27 s against 1.40-1.90 s, Q8_0 1.66-2.23 s against 1.92-3.59 s) and decoding measured the same.
 * Where the calls are not available (another OS, native access denied), the arena's own allocation is used.
 */
public final class LargePages {
    private static final long HUGE_PAGE = 2L << 20;
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int MADV_HUGEPAGE = 14;
    private static final int MADV_POPULATE_READ = 22;
    private static final long PAGE = 4096;
    private static final Native NATIVE = Native.find();
    /** Whether copies are advised to use 2 MiB pages (see above). */
    private static final boolean HUGE_PAGES = Boolean.getBoolean("amadeus.hugePages");

    private LargePages() {
    }

    /**
     * {@code bytes} of zeroed memory aligned to 64 bytes, freed when {@code arena} closes: mapped for sizes of at
     * least one huge page (in huge pages if requested and possible), from the arena otherwise.
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

        /** An anonymous private mapping of {@code size} bytes (advised to use huge pages if requested), or null if mmap failed. */
        MemorySegment map(long size) {
            try {
                MemorySegment p = (MemorySegment) mmap.invokeExact(MemorySegment.NULL, size, PROT_READ_WRITE,
                        MAP_PRIVATE_ANONYMOUS, -1, 0L);
                if (p.address() == -1L || p.address() == 0L) return null;
                if (HUGE_PAGES) {
                    // Advice only: without huge pages the mapping still works, in small pages.
                    int ignored = (int) madvise.invokeExact(p, size, MADV_HUGEPAGE);
                }
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
