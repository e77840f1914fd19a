package org.eratestbed.cli;

/** A subcommand that the design names but that is not built yet; exit 2 with the issue that builds it. */
final class NotBuiltException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotBuiltException(String what, int issue) {
        super(what + " is not built yet (issue #" + issue + ")");
    }
}
