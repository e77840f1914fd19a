package org.eratestbed.model.pdata.bitset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.BitSet;

import java.util.TreeMap;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eratestbed.model.era.tools.thin.ThinTools;
import org.eratestbed.model.pdata.MemDisk;
import org.eratestbed.model.pdata.TestSuperblock;
import org.eratestbed.model.pdata.array.ArrayInfo;
import org.eratestbed.model.pdata.array.DmArray;
import org.eratestbed.model.pdata.block.Block;
import org.eratestbed.model.pdata.block.BlockManager;
import org.eratestbed.model.pdata.btree.BTree;
import org.eratestbed.model.pdata.btree.BTreeInfo;
import org.eratestbed.model.pdata.btree.ValueType;
import org.eratestbed.model.pdata.tm.DmTransactionManager;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The btree, array and bitset against thin-provisioning-tools' era tools, an implementation written
 * independently of the kernel's: era_check and era_dump read a writeset tree (two leaves), bitsets and an
 * era array (two array blocks) written by the model under a test era superblock; and the model reads what
 * era_restore writes. Skipped when the tools are not installed.
 */
class ThinToolsInteropTest {
    private static final int NR_BLOCKS = 1030;
    private static final int NR_ERAS = 205;
    private static final int CURRENT_ERA = NR_ERAS + 2;
    private static final int DEVICE_BLOCKS = 1024;

    @TempDir
    Path dir;

    private static void assumeTools() {
        Assumptions.assumeTrue(ThinTools.available(), ThinTools.NOT_INSTALLED);
    }

    /** The blocks era {@code era} marks: a few spread over the device, different per era. */
    private static BitSet marks(int era) {
        BitSet b = new BitSet();
        for (int k = 0; k < 6; k++) {
            b.set((era * 37 + k * 211) % NR_BLOCKS);
        }
        if (era % 50 == 0) {
            b.set(0, 64);
        }
        return b;
    }

    private static int arrayEra(int block) {
        return block % (CURRENT_ERA + 1);
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** dm-era's superblock_disk, enough for the tools: fields at the offsets of dm-era.md section 2. */
    private static void commitEraSuperblock(DmTransactionManager tm, long writesetRoot, long eraArrayRoot) {
        tm.preCommit();
        byte[] smRoot = new byte[TestSuperblock.SM_ROOT_MAX];
        tm.spaceMap().copyRoot(smRoot, 0, smRoot.length);
        Block sb = tm.blockManager().writeLock(0, TestSuperblock.VALIDATOR);
        ByteBuffer h = sb.le();
        java.util.Arrays.fill(sb.data(), (byte) 0);
        h.putLong(32, 2126579579L);           // magic
        h.putInt(40, 1);                      // version
        System.arraycopy(smRoot, 0, sb.data(), 44, smRoot.length);
        h.putInt(172, 128);                   // data_block_size
        h.putInt(176, 8);                     // metadata_block_size
        h.putInt(180, NR_BLOCKS);
        h.putInt(184, CURRENT_ERA);
        h.putInt(188, NR_BLOCKS);             // current_writeset.nr_bits, root 0 (archived)
        h.putLong(200, writesetRoot);
        h.putLong(208, eraArrayRoot);
        tm.commit(sb);
    }

    private static void writeImage(MemDisk disk, Path file) throws IOException {
        try (OutputStream os = Files.newOutputStream(file)) {
            for (int b = 0; b < DEVICE_BLOCKS; b++) {
                os.write(disk.block(b));
            }
        }
    }

    @Test
    void eraToolsReadWhatTheModelWrites() throws Exception {
        assumeTools();
        MemDisk disk = new MemDisk(DEVICE_BLOCKS);
        BlockManager bm = new BlockManager(disk, 5);
        DmTransactionManager tm = DmTransactionManager.createWithSm(bm, 0);
        BTreeInfo wsInfo = BTreeInfo.singleLevel(tm, new ValueType(12, null, null, ValueType.memcmp(12)));
        long wsRoot = BTree.empty(wsInfo);
        ArrayInfo eraInfo = new ArrayInfo(tm, ValueType.plain(4));
        long eraRoot = DmArray.empty(eraInfo);
        TestSuperblock.format(tm);

        eraRoot = DmArray.resize(eraInfo, eraRoot, 0, NR_BLOCKS, new byte[4]);
        for (int b = 0; b < NR_BLOCKS; b++) {
            eraRoot = DmArray.setValue(eraInfo, eraRoot, b, le(new byte[4]).putInt(0, arrayEra(b)).array());
        }
        DiskBitset bits = new DiskBitset(tm);
        for (int era = 1; era <= NR_ERAS; era++) {
            long ws = DmBitset.resize(bits, DmBitset.empty(bits), 0, NR_BLOCKS, false);
            BitSet m = marks(era);
            for (int b = m.nextSetBit(0); b >= 0; b = m.nextSetBit(b + 1)) {
                ws = DmBitset.setBit(bits, ws, b);
            }
            ws = DmBitset.flush(bits, ws);
            byte[] value = le(new byte[12]).putInt(0, NR_BLOCKS).putLong(4, ws).array();
            wsRoot = BTree.insert(wsInfo, wsRoot, era, value);
            if (era % 60 == 0) {
                commitEraSuperblock(tm, wsRoot, eraRoot);
            }
        }
        commitEraSuperblock(tm, wsRoot, eraRoot);
        assertEquals(2, org.eratestbed.model.pdata.btree.TreeChecker.height(wsInfo, wsRoot),
                "more than 201 writesets: two leaves under an internal root");

        Path img = dir.resolve("meta.img");
        writeImage(disk, img);
        ThinTools.Result check = ThinTools.check(img);
        assertEquals(0, check.code(), "era_check: " + check.out() + check.err());

        Path xml = dir.resolve("dump.xml");
        ThinTools.Result dump = ThinTools.run("era_dump", img.toString());
        assertEquals(0, dump.code(), "era_dump: " + dump.err());
        Files.writeString(xml, dump.out());
        TreeMap<Integer, BitSet> writesets = new TreeMap<>();
        int[] eras = new int[NR_BLOCKS];
        Pattern ws = Pattern.compile("<writeset era=\"(\\d+)\" nr_bits=\"(\\d+)\"");
        Pattern bit = Pattern.compile("<bit block=\"(\\d+)\" value=\"(true|false)\"");
        Pattern era = Pattern.compile("<era block=\"(\\d+)\" era=\"(\\d+)\"");
        Pattern sb = Pattern.compile("<superblock uuid=\"\" block_size=\"128\" nr_blocks=\"(\\d+)\" current_era=\"(\\d+)\"");
        BitSet current = null;
        boolean sawSuperblock = false;
        try (BufferedReader r = Files.newBufferedReader(xml)) {
            for (String l; (l = r.readLine()) != null; ) {
                Matcher mm;
                if ((mm = bit.matcher(l)).find()) {
                    if (mm.group(2).equals("true")) {
                        current.set(Integer.parseInt(mm.group(1)));
                    }
                } else if ((mm = era.matcher(l)).find()) {
                    eras[Integer.parseInt(mm.group(1))] = Integer.parseInt(mm.group(2));
                } else if ((mm = ws.matcher(l)).find()) {
                    assertEquals(NR_BLOCKS, Integer.parseInt(mm.group(2)));
                    current = new BitSet();
                    writesets.put(Integer.parseInt(mm.group(1)), current);
                } else if ((mm = sb.matcher(l)).find()) {
                    assertEquals(NR_BLOCKS, Integer.parseInt(mm.group(1)));
                    assertEquals(CURRENT_ERA, Integer.parseInt(mm.group(2)));
                    sawSuperblock = true;
                }
            }
        }
        assertTrue(sawSuperblock);
        assertEquals(NR_ERAS, writesets.size());
        for (int e = 1; e <= NR_ERAS; e++) {
            assertEquals(marks(e), writesets.get(e), "writeset of era " + e);
        }
        for (int b = 0; b < NR_BLOCKS; b++) {
            assertEquals(arrayEra(b), eras[b], "era of block " + b);
        }
    }

    @Test
    void modelReadsWhatEraRestoreWrites() throws Exception {
        assumeTools();
        Path xml = dir.resolve("in.xml");
        StringBuilder sbXml = new StringBuilder();
        sbXml.append("<superblock uuid=\"\" block_size=\"128\" nr_blocks=\"").append(NR_BLOCKS)
                .append("\" current_era=\"").append(CURRENT_ERA).append("\">\n");
        for (int e = 1; e <= NR_ERAS; e++) {
            sbXml.append("  <writeset era=\"").append(e).append("\" nr_bits=\"").append(NR_BLOCKS).append("\">\n");
            BitSet m = marks(e);
            for (int b = 0; b < NR_BLOCKS; b++) {
                sbXml.append("    <bit block=\"").append(b).append("\" value=\"").append(m.get(b)).append("\"/>\n");
            }
            sbXml.append("  </writeset>\n");
        }
        sbXml.append("  <era_array>\n");
        for (int b = 0; b < NR_BLOCKS; b++) {
            sbXml.append("    <era block=\"").append(b).append("\" era=\"").append(arrayEra(b)).append("\"/>\n");
        }
        sbXml.append("  </era_array>\n</superblock>\n");
        Files.writeString(xml, sbXml);
        Path img = dir.resolve("restored.img");
        Files.write(img, new byte[DEVICE_BLOCKS * 4096]);
        ThinTools.Result restore = ThinTools.run("era_restore", "-i", xml.toString(), "-o", img.toString());
        assertEquals(0, restore.code(), "era_restore: " + restore.out() + restore.err());

        MemDisk disk = new MemDisk(DEVICE_BLOCKS);
        byte[] all = Files.readAllBytes(img);
        for (int b = 0; b < DEVICE_BLOCKS; b++) {
            disk.putBlock(b, java.util.Arrays.copyOfRange(all, b * 4096, b * 4096 + 4096));
        }
        BlockManager bm = new BlockManager(disk, 5);
        DmTransactionManager tm = TestSuperblock.open(bm);
        ByteBuffer sb = le(disk.block(0));
        assertEquals(NR_BLOCKS, sb.getInt(180));
        assertEquals(CURRENT_ERA, sb.getInt(184));
        long wsRoot = sb.getLong(200);
        long eraRoot = sb.getLong(208);

        BTreeInfo wsInfo = BTreeInfo.singleLevel(tm, ValueType.plain(12));
        TreeMap<Long, long[]> writesets = new TreeMap<>();
        BTree.walk(wsInfo, wsRoot, (key, data, off) -> writesets.put(key,
                new long[] {le(data).getInt(off), le(data).getLong(off + 4)}));
        assertEquals(NR_ERAS, writesets.size());
        DiskBitset bits = new DiskBitset(tm);
        for (var e : writesets.entrySet()) {
            assertEquals(NR_BLOCKS, e.getValue()[0]);
            bits.init(tm); // per writeset, as 2524933307fd does
            BitSet got = new BitSet();
            for (int b = 0; b < NR_BLOCKS; b++) {
                if (DmBitset.testBit(bits, e.getValue()[1], b).value()) {
                    got.set(b);
                }
            }
            assertEquals(marks(e.getKey().intValue()), got, "writeset of era " + e.getKey());
        }
        ArrayInfo eraInfo = new ArrayInfo(tm, ValueType.plain(4));
        int[] n = {0};
        DmArray.walk(eraInfo, eraRoot, (i, data, off) -> {
            assertEquals(arrayEra((int) i), le(data).getInt(off), "era of block " + i);
            n[0]++;
        });
        assertEquals(NR_BLOCKS, n[0]);

        int height = org.eratestbed.model.pdata.btree.TreeChecker.height(wsInfo, wsRoot);
        assertTrue(height >= 2, "era_restore built a multi-leaf writeset tree");
        assertEquals(1, BTree.findLowestKey(wsInfo, wsRoot)[0]);
        assertEquals(NR_ERAS, BTree.findHighestKey(wsInfo, wsRoot)[0]);
        assertNotEquals(1, BTree.findLowestKeyDescendingLastChild(wsInfo, wsRoot)[0],
                "the 3.15 descent would digest a later era first");
        assertEquals(0, bm.heldLocks());
    }
}
