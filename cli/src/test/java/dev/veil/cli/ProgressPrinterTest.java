package dev.veil.cli;

import dev.veil.jobs.JobKind;
import dev.veil.jobs.JobProgress;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ProgressPrinterTest {
    @Test
    void aLogGetsTheFinalLineOnceThoughTheLastBatchAndTheEndBothReportIt() {
        StringWriter text = new StringWriter();
        ProgressPrinter printer = new ProgressPrinter(new PrintWriter(text), false);
        printer.progress(new JobProgress("public.people", JobKind.MIGRATE, 300, 300, 300, 1000));
        printer.progress(new JobProgress("public.people", JobKind.MIGRATE, 300, 300, 300, 900));
        printer.done();
        assertEquals(1, text.toString().lines().filter(l -> l.contains("100.0%")).count(), text.toString());
        assertEquals("migrate public.people: 100.0% 300/300 rows, 1,000 rows/s", text.toString().lines().findFirst().orElseThrow());
    }
}
