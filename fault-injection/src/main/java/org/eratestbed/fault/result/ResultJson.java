package org.eratestbed.fault.result;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import java.io.UncheckedIOException;
import java.math.BigInteger;

/**
 * The JSON spelling of results: snake_case properties ({@code crash_point}, {@code t_ms}), one record per
 * line, unknown properties ignored (a newer engine may add fields an older report does not show), and
 * numbers never silently turned into something else.
 */
public final class ResultJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
            .configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, false)
            .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true)
            .configure(MapperFeature.ALLOW_COERCION_OF_SCALARS, false)
            // states_total is a decimal string (it outgrows every JSON number type readers have).
            .withCoercionConfig(BigInteger.class,
                    c -> c.setCoercion(CoercionInputShape.String, CoercionAction.TryConvert))
            .configure(SerializationFeature.INDENT_OUTPUT, false)
            .build();
    private static final ObjectWriter RECORD_WRITER = MAPPER.writerFor(ResultRecord.class);
    private static final ObjectReader RECORD_READER = MAPPER.readerFor(ResultRecord.class);

    private ResultJson() {
    }

    /** The mapper results are read and written with (snake_case). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** One record as one line of JSON, without the line break. */
    public static String toLine(ResultRecord record) {
        try {
            return RECORD_WRITER.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses one line; a line that is not a record throws {@link JsonProcessingException}. */
    public static ResultRecord parseLine(String line) throws JsonProcessingException {
        return RECORD_READER.readValue(line);
    }

    static String campaignToJson(CampaignInfo campaign) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(campaign) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CampaignInfo campaignFromJson(String json) throws JsonProcessingException {
        return MAPPER.readValue(json, CampaignInfo.class);
    }
}
