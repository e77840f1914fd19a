package org.eratestbed.fault.scenario;

import org.junit.jupiter.api.Test;

class ScenarioDebugTest {
    @Test
    void print() {
        String only = System.getProperty("scenario");
        for (Scenario s : Scenarios.all()) {
            if (only != null && !s.id().startsWith(only)) {
                continue;
            }
            ScenarioResult r = s.run();
            r.report().forEach(System.out::println);
        }
    }
}
