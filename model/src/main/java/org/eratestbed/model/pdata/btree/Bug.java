package org.eratestbed.model.pdata.btree;

/**
 * The kernel's BUG_ON: an invariant the persistent-data code asserts rather than returns as an errno. In the
 * kernel it stops the machine; in the model it is an {@link IllegalStateException}, so a test or campaign
 * sees exactly which assertion the model (or a crafted image) broke.
 */
public final class Bug {
    private Bug() {
    }

    public static void on(boolean condition, String what) {
        if (condition) {
            throw new IllegalStateException("BUG: " + what);
        }
    }
}
