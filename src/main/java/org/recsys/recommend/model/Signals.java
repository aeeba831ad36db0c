package org.recsys.recommend.model;

import org.elasticsearch.xcontent.ToXContent;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentParser;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** Parsing and checks for the {@code signals} object: each signal at most once, in a stable order. */
public final class Signals {

    private Signals() {}

    public static List<SignalSpec> parse(XContentParser parser) throws IOException {
        List<SignalSpec> signals = new ArrayList<>();
        XContentParser.Token token;
        while ((token = parser.nextToken()) != XContentParser.Token.END_OBJECT) {
            if (token != XContentParser.Token.FIELD_NAME) {
                throw new IllegalArgumentException("[signals] must be an object of signal name to settings");
            }
            SignalKind kind = SignalKind.fromJson(parser.currentName());
            if (parser.nextToken() != XContentParser.Token.START_OBJECT) {
                throw new IllegalArgumentException("[signals." + kind.jsonName() + "] must be an object");
            }
            signals.add(SignalSpec.fromXContent(kind, parser));
        }
        if (signals.isEmpty()) {
            throw new IllegalArgumentException("[signals] must name at least one signal");
        }
        return signals;
    }

    public static List<SignalSpec> validate(List<SignalSpec> signals) {
        Set<SignalKind> seen = EnumSet.noneOf(SignalKind.class);
        for (SignalSpec signal : signals) {
            if (seen.add(signal.kind()) == false) {
                throw new IllegalArgumentException("[signals] names [" + signal.kind().jsonName() + "] twice");
            }
        }
        if (signals.isEmpty()) {
            throw new IllegalArgumentException("[signals] must name at least one signal");
        }
        return signals.stream().sorted((a, b) -> a.kind().compareTo(b.kind())).toList();
    }

    public static SignalSpec find(List<SignalSpec> signals, SignalKind kind) {
        if (signals == null) {
            return null;
        }
        return signals.stream().filter(s -> s.kind() == kind).findFirst().orElse(null);
    }

    public static void toXContent(String name, List<SignalSpec> signals, XContentBuilder builder, ToXContent.Params params)
        throws IOException {
        builder.startObject(name);
        for (SignalSpec signal : signals) {
            builder.field(signal.kind().jsonName());
            signal.toXContent(builder, params);
        }
        builder.endObject();
    }
}
