package org.recsys.recommend.spark;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.regex.Pattern;

/**
 * Timestamps that are not {@code date} fields (a keyword, a long) as epoch milliseconds, to order a user's items by their
 * latest event; a date field the connector parses itself. Reads what Elasticsearch's default date format accepts: ISO-8601
 * with or without a time or an offset (UTC when none), or epoch milliseconds.
 */
final class Timestamps {

    private static final Pattern EPOCH_MILLIS = Pattern.compile("-?\\d+(\\.\\d+)?");
    private static final DateTimeFormatter ISO = new DateTimeFormatterBuilder().parseCaseInsensitive()
        .append(DateTimeFormatter.ISO_LOCAL_DATE)
        .optionalStart()
        .appendLiteral('T')
        .append(DateTimeFormatter.ISO_LOCAL_TIME)
        .optionalStart()
        .appendOffset("+HH:MM", "Z")
        .optionalEnd()
        .optionalStart()
        .appendOffset("+HHMM", "Z")
        .optionalEnd()
        .optionalEnd()
        .toFormatter();

    private Timestamps() {}

    /** Epoch milliseconds of {@code value}, or null when it is not a date this class reads. */
    static Long millis(String value) {
        if (EPOCH_MILLIS.matcher(value).matches()) {
            try {
                return new BigDecimal(value).setScale(0, RoundingMode.FLOOR).longValueExact();
            } catch (ArithmeticException e) {
                return null;
            }
        }
        try {
            TemporalAccessor parsed = ISO.parseBest(value, OffsetDateTime::from, LocalDateTime::from, LocalDate::from);
            if (parsed instanceof OffsetDateTime offset) {
                return offset.toInstant().toEpochMilli();
            } else if (parsed instanceof LocalDateTime local) {
                return local.toInstant(ZoneOffset.UTC).toEpochMilli();
            } else {
                return ((LocalDate) parsed).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            return null;
        }
    }
}
