/**
 * What a fault-injection campaign writes, and how it is read back.
 *
 * <p>A results folder holds {@code campaign.json} ({@link org.eratestbed.fault.result.CampaignInfo}) and
 * {@code results.jsonl}: one JSON object a line, each a {@link org.eratestbed.fault.result.ResultRecord}
 * told apart by its {@code type} ({@code run}, {@code violation}, {@code known}, {@code done}).
 * {@link org.eratestbed.fault.result.ResultLog} appends them durably and lets a killed campaign resume;
 * {@link org.eratestbed.fault.result.ResultReader} reads and merges one or more folders for the reports.
 * The file is append-only: a run's later batch of records supersedes its earlier one (a finding written as
 * found and triaged by a later session), and readers see what stands. Reproducer folders under
 * {@code findings/} are written whole ({@link org.eratestbed.fault.result.FindingFolder}).
 */
package org.eratestbed.fault.result;
