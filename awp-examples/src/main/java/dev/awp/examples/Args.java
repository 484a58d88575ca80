package dev.awp.examples;

/** Minimal {@code --name value} command-line parsing for the examples. */
final class Args {

    private Args() {}

    /**
     * The integer after {@code name}, or the default.
     *
     * @throws IllegalArgumentException if the value is missing or not an integer
     */
    static int integer(String[] args, String name, int defaultValue) {
        String value = string(args, name, null);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    name + " must be an integer but was '" + value + "'", e);
        }
    }

    /**
     * The value after {@code name}, or the default.
     *
     * @throws IllegalArgumentException if {@code name} is the last argument
     */
    static String string(String[] args, String name, String defaultValue) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(name)) {
                if (i + 1 == args.length) {
                    throw new IllegalArgumentException(name + " needs a value");
                }
                return args[i + 1];
            }
        }
        return defaultValue;
    }
}
