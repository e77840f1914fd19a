package org.eratestbed.model.dm;

/** A registered target type: its name and constructor ({@code ctr}). */
public interface TargetType {
    String name();

    /**
     * Constructs an instance for {@code ti} from the table line's parameters; on failure sets nothing and
     * throws {@link DmException} whose message is the kernel's {@code ti->error}.
     */
    Target ctr(DmTarget ti, String[] argv);
}
