package org.eratestbed.fault.result;

/**
 * Written last by a shard that finished its budget: without it, a results folder is from a campaign that
 * is still running or was killed (and can be resumed). A later session that triages what the budget left
 * untriaged writes a new one after its superseding batches; the last one stands.
 */
public record DoneRecord(String shard, int runs, long statesChecked, int violations, long elapsedMs)
        implements ResultRecord {
    public static final String TYPE = "done";

    public DoneRecord {
        Shards.check(shard);
    }

    @Override
    public String type() {
        return TYPE;
    }
}
