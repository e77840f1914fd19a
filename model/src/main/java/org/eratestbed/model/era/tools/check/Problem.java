package org.eratestbed.model.era.tools.check;

/**
 * One finding of {@code check}: a line naming the block, the structure, what is wrong, expected vs found.
 * Errors make the image fail; warnings name states the kernel can legitimately leave behind.
 */
public record Problem(Severity severity, String message) {
    public enum Severity { ERROR, WARNING }

    @Override
    public String toString() {
        return severity == Severity.WARNING ? "warning: " + message : message;
    }
}
