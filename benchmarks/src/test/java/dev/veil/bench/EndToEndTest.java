package dev.veil.bench;

import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EndToEndTest {
    private static final List<Mode> ALL = List.of(Mode.RAW, Mode.VEIL, Mode.HAND);

    @Test
    void everyModeTakesEveryPlaceEquallyOften() {
        Map<Mode, int[]> places = new EnumMap<>(Mode.class);
        for (int round = 0; round < 9; round++) {
            List<Mode> order = EndToEnd.inRound(ALL, round);
            assertEquals(3, order.stream().distinct().count(), order::toString);
            for (int place = 0; place < order.size(); place++) {
                places.computeIfAbsent(order.get(place), m -> new int[3])[place]++;
            }
        }
        for (Mode m : ALL) {
            assertEquals(List.of(3, 3, 3), java.util.Arrays.stream(places.get(m)).boxed().toList(), m.name());
        }
    }

    @Test
    void twoModesAlternate() {
        List<Mode> two = List.of(Mode.RAW, Mode.VEIL);
        assertEquals(two, EndToEnd.inRound(two, 0));
        assertEquals(List.of(Mode.VEIL, Mode.RAW), EndToEnd.inRound(two, 1));
        assertEquals(two, EndToEnd.inRound(two, 2));
    }
}
