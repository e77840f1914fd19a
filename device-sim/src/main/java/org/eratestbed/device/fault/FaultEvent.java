package org.eratestbed.device.fault;

/** A fault that fired: on which request (submission number), what, and the request it hit. */
public record FaultEvent(long seq, FaultKind kind, String detail) {
    @Override
    public String toString() {
        return "op " + seq + ": " + kind.token() + " " + detail;
    }
}
