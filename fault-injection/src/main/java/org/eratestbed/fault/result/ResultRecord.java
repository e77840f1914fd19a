package org.eratestbed.fault.result;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * One line of {@code results.jsonl}. The {@code type} property names the kind of record, so a reader can
 * tell them apart without guessing from their fields, and an older reader can skip kinds it does not know.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = RunRecord.class, name = RunRecord.TYPE),
    @JsonSubTypes.Type(value = ViolationRecord.class, name = ViolationRecord.TYPE),
    @JsonSubTypes.Type(value = KnownRecord.class, name = KnownRecord.TYPE),
    @JsonSubTypes.Type(value = DoneRecord.class, name = DoneRecord.TYPE)
})
public sealed interface ResultRecord permits RunRecord, Finding, DoneRecord {
    /** The shard that wrote the record, {@code "K/N"}. */
    String shard();

    /** The discriminator as written in the {@code type} property. */
    @JsonIgnore
    String type();
}
