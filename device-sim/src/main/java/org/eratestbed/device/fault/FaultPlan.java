package org.eratestbed.device.fault;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.eratestbed.device.BadInputException;

/**
 * Which faults a simulated disk injects: a seed (for {@code rate=} draws and seeded misdirection targets)
 * and an ordered list of rules. A plan is a value: {@link #toString()} prints its one-line text and
 * {@link #parse(String)} reads it back to an equal plan.
 *
 * <p>Text form: {@code seed=<n>} then zero or more rules, each after a {@code ;}:
 * <pre>
 *   seed=42; eio-read op=5; eio-write sectors=100..108; latent sectors=64..72;
 *   misdirect rate=0.01 to=4096; drop op=9; lying-flush rate=0.5; eio-flush op=12
 * </pre>
 * A rule is {@code <kind> <trigger> [to=<sector>]}; kinds are the {@link FaultKind} tokens, triggers
 * {@code op=N}, {@code sectors=A..B} (half-open) or {@code rate=P} (0 ≤ P ≤ 1); {@code to=} only for misdirect.
 */
public final class FaultPlan {
    public static final FaultPlan NONE = new FaultPlan(0, List.of());

    private static final Pattern NUMBER = Pattern.compile("[0-9]{1,19}");
    private static final Pattern RATE = Pattern.compile("[0-9]+(\\.[0-9]+)?([eE]-?[0-9]+)?");

    private final long seed;
    private final List<FaultRule> rules;

    public FaultPlan(long seed, List<FaultRule> rules) {
        this.seed = seed;
        this.rules = List.copyOf(rules);
    }

    public long seed() {
        return seed;
    }

    public List<FaultRule> rules() {
        return rules;
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /**
     * A plan drawn from a seed for a device of {@code sizeSectors}: one to three rules of random kinds, mostly
     * low rates, sometimes a single op or a latent range. The same seed gives the same plan.
     */
    public static FaultPlan random(long seed, long sizeSectors) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int n = 1 + rnd.nextInt(3);
        List<FaultRule> rules = new ArrayList<>();
        FaultKind[] kinds = FaultKind.values();
        for (int i = 0; i < n; i++) {
            FaultKind kind = kinds[rnd.nextInt(kinds.length)];
            Trigger trigger;
            if (kind == FaultKind.LATENT) {
                long start = rnd.nextLong(sizeSectors);
                trigger = new Trigger.Sectors(start, Math.min(sizeSectors, start + 1 + rnd.nextInt(8)));
            } else if (rnd.nextBoolean()) {
                trigger = new Trigger.Op(rnd.nextInt(64));
            } else {
                trigger = new Trigger.Rate((1 + rnd.nextInt(20)) / 100.0);
            }
            rules.add(new FaultRule(kind, trigger));
        }
        return new FaultPlan(seed, rules);
    }

    /**
     * A uniform draw in [0, 1) for rule {@code rule} on request {@code seq}: a pure function of the seed, the
     * rule and the request, so it does not depend on the order in which anything asks.
     */
    public double draw(long seq, int rule, int salt) {
        long x = seed * 0x9E3779B97F4A7C15L + seq * 0xBF58476D1CE4E5B9L + rule * 0x94D049BB133111EBL + salt;
        x = mix(mix(x) ^ seq);
        return (x >>> 11) * 0x1.0p-53;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Parses the text form; anything else is a {@link BadInputException} naming the rule and what is wrong. */
    public static FaultPlan parse(String text) {
        if (text == null) {
            throw new BadInputException("fault plan: missing");
        }
        String[] parts = text.split(";", -1);
        long seed = 0;
        int first = 0;
        String head = parts[0].strip();
        if (head.startsWith("seed=")) {
            String v = head.substring("seed=".length());
            if (!v.matches("-?[0-9]{1,19}")) {
                throw new BadInputException("fault plan: bad seed '" + v + "' (expected an integer)");
            }
            try {
                seed = Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new BadInputException("fault plan: seed '" + v + "' is out of range");
            }
            first = 1;
        } else if (head.isEmpty() && parts.length == 1) {
            return NONE;
        }
        List<FaultRule> rules = new ArrayList<>();
        for (int i = first; i < parts.length; i++) {
            rules.add(parseRule(parts[i].strip(), i - first + 1));
        }
        return new FaultPlan(seed, rules);
    }

    private static FaultRule parseRule(String rule, int index) {
        String where = "fault plan: rule " + index + " '" + rule + "': ";
        String[] tok = rule.isEmpty() ? new String[0] : rule.split("\\s+");
        if (tok.length < 2 || tok.length > 3) {
            throw new BadInputException(where + "expected '<kind> <op=N|sectors=A..B|rate=P> [to=S]'");
        }
        FaultKind kind = FaultKind.ofToken(tok[0]);
        if (kind == null) {
            throw new BadInputException(where + "unknown fault '" + tok[0] + "' (expected one of "
                    + Arrays.stream(FaultKind.values()).map(FaultKind::token).collect(Collectors.joining(", ")) + ")");
        }
        Trigger trigger = parseTrigger(tok[1], where);
        long target = -1;
        if (tok.length == 3) {
            if (!tok[2].startsWith("to=")) {
                throw new BadInputException(where + "unexpected '" + tok[2] + "' (only to=<sector> may follow)");
            }
            target = number(tok[2].substring(3), where, "to");
        }
        try {
            return new FaultRule(kind, trigger, target);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(where + e.getMessage());
        }
    }

    private static Trigger parseTrigger(String t, String where) {
        try {
            if (t.startsWith("op=")) {
                return new Trigger.Op(number(t.substring(3), where, "op"));
            }
            if (t.startsWith("sectors=")) {
                String v = t.substring("sectors=".length());
                int dots = v.indexOf("..");
                if (dots < 0) {
                    throw new BadInputException(where + "sectors needs A..B, got '" + v + "'");
                }
                return new Trigger.Sectors(number(v.substring(0, dots), where, "sectors"),
                        number(v.substring(dots + 2), where, "sectors"));
            }
            if (t.startsWith("rate=")) {
                String v = t.substring("rate=".length());
                if (!RATE.matcher(v).matches()) {
                    throw new BadInputException(where + "rate '" + v + "' is not a number");
                }
                return new Trigger.Rate(Double.parseDouble(v));
            }
        } catch (IllegalArgumentException e) {
            throw new BadInputException(where + e.getMessage());
        }
        throw new BadInputException(where + "unknown trigger '" + t + "' (expected op=N, sectors=A..B or rate=P)");
    }

    private static long number(String v, String where, String what) {
        if (!NUMBER.matcher(v).matches()) {
            throw new BadInputException(where + what + " '" + v + "' is not a non-negative integer");
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new BadInputException(where + what + " '" + v + "' is out of range");
        }
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("seed=").append(seed);
        for (FaultRule r : rules) {
            b.append("; ").append(r);
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FaultPlan p && p.seed == seed && p.rules.equals(rules);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(seed) * 31 + rules.hashCode();
    }
}
