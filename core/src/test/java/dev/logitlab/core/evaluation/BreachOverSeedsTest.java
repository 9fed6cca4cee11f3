package dev.logitlab.core.evaluation;

import static dev.logitlab.core.evaluation.BreachTest.gap;
import static dev.logitlab.core.evaluation.BreachTest.ones;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The breach pooled over seeds, image by image, on outcome strings worked out by hand. */
class BreachOverSeedsTest {

    /** Student t's 95% quantile at 399 degrees of freedom (tables: 1.6487). */
    private static final double T399 = 1.64866;

    @Test
    void theGainIsTheMeanOverImagesOfEachImagesMeanOverSeeds() {
        // 400 images, plain withstands the first 100 (weak) and 80 (full) in every seed. Weak: the defense adds
        // images 100-159 in seed 1, 100-129 in seed 2 and none in seed 3: per image 2/3 (30 images), 1/3 (30), else 0.
        // Mean 30/400 = 0.075; Σ(d − m)² = 30·(2/3)² + 30·(1/3)² − 400·0.075² = 16.6667 − 2.25 = 14.4167,
        // se = √(14.4167/399/400) = 0.0095041. Full: the same as plain in every seed: 0, with no spread.
        AttackStrengthGap plain = gap(ones(100, 400), ones(80, 400));
        List<BreachOverSeeds.Seed> seeds = List.of(
                new BreachOverSeeds.Seed(gap(ones(160, 400), ones(80, 400)), plain),
                new BreachOverSeeds.Seed(gap(ones(130, 400), ones(80, 400)), plain),
                new BreachOverSeeds.Seed(gap(ones(100, 400), ones(80, 400)), plain));
        BreachOverSeeds b = BreachOverSeeds.judge(Map.of("clp=0.5", seeds)).get(0);
        double se = Math.sqrt(14.416666666666666 / 399 / 400);
        assertEquals(0.075, b.weakOverPlain(), 1e-12);
        assertEquals(0.075 - T399 * se, b.weakBounds().get(0), 1e-5);
        assertEquals(0.075 + T399 * se, b.weakBounds().get(1), 1e-5);
        assertEquals(0, b.fullOverPlain(), 1e-12);
        assertEquals(List.of(0.0, 0.0), b.fullBounds());
        assertEquals(3, b.trained());
        assertEquals(400, b.images());
        // t = 0.075/0.0095 ≈ 7.9: the weak leg's p is far below 0.05, and the full leg's 0 < 0.02 with no spread
        assertEquals(Breach.SHOWN, b.answer());
    }

    @Test
    void theFamilyOfDefensesIsHolmAdjusted() {
        // Two defenses with the same weak gain, whose one-sided p lies between 0.025 and 0.05: each alone is shown,
        // the two together are not (Holm: both p doubled). The gain: 5 of 400 images in one seed. Only those 5 can
        // change the sum under a sign flip, and only all five positive reaches it: p = 2⁻⁵ = 0.03125 exactly (drawn:
        // ±0.0013). The full leg: no image differs, every centred difference is −0.02, the least sum there is.
        AttackStrengthGap plain = gap(ones(100, 400), ones(80, 400));
        List<BreachOverSeeds.Seed> seeds = List.of(new BreachOverSeeds.Seed(gap(ones(105, 400), ones(80, 400)), plain));
        BreachOverSeeds alone = BreachOverSeeds.judge(Map.of("a", seeds)).get(0);
        assertEquals(0.03125, alone.shownP(), 0.004);
        assertEquals(Breach.SHOWN, alone.answer());
        Map<String, List<BreachOverSeeds.Seed>> two = new LinkedHashMap<>();
        two.put("a", seeds);
        two.put("b", seeds);
        List<BreachOverSeeds> family = BreachOverSeeds.judge(two);
        assertEquals(2 * alone.shownP(), family.get(0).shownP(), 1e-12, "Holm: 2·p₍₁₎, and p₍₂₎ no smaller");
        assertEquals(Breach.NOT_SHOWN, family.get(0).answer());
        assertEquals(Breach.NOT_SHOWN, family.get(1).answer());
    }

    @Test
    void aFewImagesCannotShowAGainThatAnExactTestWouldNot() {
        // 3 of 400 images gained, none lost: McNemar's exact p is 2⁻³ = 0.125, and so is the sign flip's, where a
        // t over the 400 differences would say 0.042
        AttackStrengthGap plain = gap(ones(100, 400), ones(80, 400));
        List<BreachOverSeeds.Seed> seeds = List.of(new BreachOverSeeds.Seed(gap(ones(103, 400), ones(80, 400)), plain));
        BreachOverSeeds b = BreachOverSeeds.judge(Map.of("a", seeds)).get(0);
        assertEquals(0.125, b.shownP(), 0.008);
        assertEquals(Breach.NOT_SHOWN, b.answer());
    }

    @Test
    void aFullSuiteGainWithinTheMarginDoesNotRefute() {
        // full: 4 of 400 more images than plain (+0.01, under the 0.02 margin) in the only seed; weak: +0.25
        AttackStrengthGap plain = gap(ones(100, 400), ones(80, 400));
        List<BreachOverSeeds.Seed> seeds = List.of(new BreachOverSeeds.Seed(gap(ones(200, 400), ones(84, 400)), plain));
        BreachOverSeeds b = BreachOverSeeds.judge(Map.of("a", seeds)).get(0);
        assertEquals(0.01, b.fullOverPlain(), 1e-12);
        assertTrue(!Breach.REFUTED.equals(b.answer()), b.toString());
    }

    @Test
    void seedsThatDidNotTrainAreLeftOutAndAGainThatHoldsRefutes() {
        AttackStrengthGap plain = gap(ones(100, 400), ones(80, 400), 0.8);
        // seed 2 at clean 0.5 did not train: only seed 1 counts, and its full-suite gain (120 images) holds
        List<BreachOverSeeds.Seed> seeds = List.of(
                new BreachOverSeeds.Seed(gap(ones(250, 400), ones(200, 400), 0.8), plain),
                new BreachOverSeeds.Seed(gap(ones(0, 400), ones(0, 400), 0.5), plain));
        BreachOverSeeds b = BreachOverSeeds.judge(Map.of("alp=0.5", seeds)).get(0);
        assertEquals(1, b.trained());
        assertEquals(0.3, b.fullOverPlain(), 1e-12);
        assertEquals(Breach.REFUTED, b.answer());
        BreachOverSeeds none = BreachOverSeeds.judge(Map.of("lsqk=0.5", List.of(seeds.get(1)))).get(0);
        assertEquals(Breach.DID_NOT_TRAIN, none.answer());
        assertEquals(null, none.weakBounds());
    }

    @Test
    void seedsMustJudgeTheSameExamples() {
        AttackStrengthGap plain = gap(ones(100, 400), ones(80, 400));
        List<BreachOverSeeds.Seed> seeds = List.of(new BreachOverSeeds.Seed(gap(ones(10, 200), ones(8, 200)), plain));
        assertThrows(IllegalArgumentException.class, () -> BreachOverSeeds.judge(Map.of("clp=0.5", seeds)));
    }
}
