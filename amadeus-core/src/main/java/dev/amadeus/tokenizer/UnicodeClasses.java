package dev.amadeus.tokenizer;

/**
 * Code point classes as llama.cpp's {@code unicode.cpp} defines them: the general category groups
 * (letter, number, mark, punctuation, symbol, separator, control) and its own whitespace set.
 * Categories come from the JDK's Unicode tables; llama.cpp ships Unicode 15.1 tables, so code points
 * assigned or recategorised after 15.1 may be classed differently.
 */
final class UnicodeClasses {
    static final int UNDEFINED = 1;
    static final int NUMBER = 1 << 1;
    static final int LETTER = 1 << 2;
    static final int SEPARATOR = 1 << 3;
    static final int MARK = 1 << 4;
    static final int PUNCTUATION = 1 << 5;
    static final int SYMBOL = 1 << 6;
    static final int CONTROL = 1 << 7;
    static final int WHITESPACE = 1 << 8;

    private static final short[] BMP = new short[0x10000];

    static {
        for (int cp = 0; cp < BMP.length; cp++) BMP[cp] = (short) compute(cp);
    }

    private UnicodeClasses() {
    }

    static int flags(int cp) {
        return cp < BMP.length ? BMP[cp] : compute(cp);
    }

    static boolean isWhitespace(int cp) {
        return (flags(cp) & WHITESPACE) != 0;
    }

    static boolean isLetter(int cp) {
        return (flags(cp) & LETTER) != 0;
    }

    static boolean isNumber(int cp) {
        return (flags(cp) & NUMBER) != 0;
    }

    /**
     * The White_Space property, which is what llama.cpp treats as {@code \s}. {@link Character#isWhitespace}
     * differs (it leaves out U+0085, U+00A0, U+202F and takes in U+001C..U+001F).
     */
    private static boolean whiteSpaceProperty(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F
                || cp == 0x205F || cp == 0x3000;
    }

    private static int compute(int cp) {
        int category = switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK -> MARK;
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> PUNCTUATION;
            case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
                 Character.OTHER_SYMBOL -> SYMBOL;
            case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> SEPARATOR;
            case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE -> CONTROL;
            default -> UNDEFINED;
        };
        return whiteSpaceProperty(cp) ? category | WHITESPACE : category;
    }
}
