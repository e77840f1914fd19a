package org.eratestbed.model.era.metadata;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.eratestbed.model.era.defect.Defect;
import org.eratestbed.model.pdata.Errno;
import org.eratestbed.model.pdata.MetadataException;
import org.eratestbed.model.pdata.array.DmArray;
import org.eratestbed.model.pdata.bitset.DiskBitset;
import org.eratestbed.model.pdata.btree.BTree;

/**
 * struct digest: the coroutine that moves archived writesets into the era array, a little per worker run
 * so the worker stays responsive. Lowest era first: lookup the writeset, transcribe up to
 * {@link #INSERTS_PER_STEP} bits into the era array, remove the writeset, repeat until the tree is empty.
 */
public final class Digest {
    public static final int INSERTS_PER_STEP = 100;

    enum Step { LOOKUP_WRITESET, TRANSCRIBE_WRITESET, REMOVE_WRITESET }

    private Step step;
    private long era;
    private long nrBits;
    private long currentBit;
    private final WritesetMetadata writeset = new WritesetMetadata();
    private final byte[] value = new byte[4];
    DiskBitset info;

    public boolean running() {
        return step != null;
    }

    public void stop() {
        step = null;
    }

    /** memset(d, 0) and start with the lookup. */
    void reset() {
        era = 0;
        nrBits = 0;
        currentBit = 0;
        writeset.nrBits = 0;
        writeset.root = 0;
        info = null;
        step = Step.LOOKUP_WRITESET;
    }

    /** One step; throws the step's error (process_old_eras then stops the digest). */
    public void step(EraMetadata md) {
        switch (step) {
            case LOOKUP_WRITESET -> lookupWriteset(md);
            case TRANSCRIBE_WRITESET -> transcribeWriteset(md);
            case REMOVE_WRITESET -> removeWriteset(md);
        }
    }

    private void removeWriteset(EraMetadata md) {
        try {
            md.writesetTreeRoot = BTree.remove(md.writesetTreeInfo, md.writesetTreeRoot, era);
        } catch (MetadataException e) {
            md.log().err("era", "metadata_digest_remove_writeset: dm_btree_remove failed");
            throw e;
        }
        step = Step.LOOKUP_WRITESET;
    }

    private void transcribeWriteset(EraMetadata md) {
        long b;
        long e = Math.min(currentBit + INSERTS_PER_STEP, nrBits);
        for (b = currentBit; b < e; b++) {
            boolean marked;
            try {
                marked = md.writesetMarkedOnDisk(info, writeset, b);
            } catch (MetadataException ex) {
                md.log().err("era", "metadata_digest_transcribe_writeset: writeset_marked_on_disk failed");
                throw ex;
            }
            if (!marked) {
                continue;
            }
            try {
                md.eraArrayRoot = DmArray.setValue(md.eraArrayInfo, md.eraArrayRoot, (int) b, value);
            } catch (MetadataException ex) {
                md.log().err("era", "metadata_digest_transcribe_writeset: dm_array_set_value failed");
                throw ex;
            }
        }
        if (b == nrBits) {
            step = Step.REMOVE_WRITESET;
        } else {
            currentBit = b;
        }
    }

    private void lookupWriteset(EraMetadata md) {
        long[] key = BTree.findLowestKey(md.writesetTreeInfo, md.writesetTreeRoot);
        if (key.length == 0) {
            // dm_btree_find_lowest_key turns find_key's -ENODATA on an empty tree into a count of 0, so this
            // step goes on with an uninitialised key, whose lookup in the empty tree is -ENODATA: the digest
            // ends cleanly below, nothing is logged.
            step = null;
            return;
        }
        era = key[0];
        byte[] disk;
        try {
            disk = BTree.lookup(md.writesetTreeInfo, md.writesetTreeRoot, era);
        } catch (MetadataException ex) {
            if (ex.errno() == Errno.ENODATA) {
                step = null;
                return;
            }
            md.log().err("era", "metadata_digest_lookup_writeset: dm_btree_lookup failed");
            throw ex;
        }
        ByteBuffer le = ByteBuffer.wrap(disk).order(ByteOrder.LITTLE_ENDIAN);
        writeset.nrBits = Integer.toUnsignedLong(le.getInt(0));
        writeset.root = le.getLong(4);
        ByteBuffer.wrap(value).order(ByteOrder.LITTLE_ENDIAN).putInt(0, (int) era);
        if (!md.live().test(Defect.DIGEST_BITSET_CACHE)) {
            // 2524933: a fresh bitset info per writeset, so no cached word of the previous one is reused.
            info = new DiskBitset(md.tm);
        }
        nrBits = Math.min(writeset.nrBits, md.nrBlocks);
        currentBit = 0;
        step = Step.TRANSCRIBE_WRITESET;
    }
}
