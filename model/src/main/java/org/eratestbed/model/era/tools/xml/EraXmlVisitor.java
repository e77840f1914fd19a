package org.eratestbed.model.era.tools.xml;

/**
 * The events of an era_dump document, in document order (thin-provisioning-tools' ir::MetadataVisitor):
 * the dumper produces them, the XML writer prints them, the parser reads them back, a restorer can consume
 * them. Marked bits arrive as runs; unmarked bits are implicit.
 */
public interface EraXmlVisitor {
    void superblockBegin(String uuid, long blockSize, long nrBlocks, long currentEra);

    void writesetBegin(long era, long nrBits);

    /** Bits {@code [begin, begin + len)} of the open writeset are set. Runs arrive in ascending order. */
    void writesetBlocks(long begin, long len);

    void writesetEnd();

    void eraArrayBegin();

    void era(long block, long era);

    void eraArrayEnd();

    void superblockEnd();
}
