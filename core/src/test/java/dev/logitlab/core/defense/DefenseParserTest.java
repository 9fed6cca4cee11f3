package dev.logitlab.core.defense;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DefenseParserTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "plain | plain",
        "ls=0.95,gn=0.5 | ls=0.95,gn=0.5",
        "LSQ=0.050, GN=0.5 | lsq=0.05,gn=0.5",
        "als=0.3,gn=0.3 | als=0.3,gn=0.3",
        "at=0.1 | at=0.1",
        "at=0.1:steps=7 | at=0.1",
        "at=0.1:steps=3,gn=0.2 | gn=0.2,at=0.1:steps=3",
        "clp=0.5,gn=0.3 | clp=0.5,gn=0.3",
        "alp=0.5 | alp=0.5",
        "alp=0.5:eps=0.1:steps=7 | alp=0.5",
        "alp=0.5:steps=3:eps=0.2,gn=0.1 | gn=0.1,alp=0.5:eps=0.2:steps=3",
        "lsqk=0.05,gn=0.3 | lsqk=0.05,gn=0.3",
        "lsq=0.05,lsqk=0.05 | lsq=0.05,lsqk=0.05",
        "lsqk=0.5,gn=0.5:clip=1 | lsqk=0.5,gn=0.5:clip=1",
        "gn=0.5:clip=0 | gn=0.5",
    })
    void parsesToACanonicalSpec(String spec, String canonical) {
        assertEquals(canonical, Defense.parse(spec).spec());
    }

    @Test
    void adversarialTrainingDefaultsToSevenStepsOf2point5EpsilonOverK() {
        AdversarialTraining at = assertInstanceOf(AdversarialTraining.class, Defense.parse("at=0.14").terms().get(0));
        assertEquals(7, at.steps());
        assertEquals(2.5 * 0.14 / 7, at.stepSize(), 1e-12);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "foo=1 | 'foo=1'",
        "ls=abc | 'ls=abc'",
        "ls=1.5 | 'ls=1.5'",
        "gn | 'gn'",
        "lsq=-1 | 'lsq=-1'",
        "at=0.1:stepz=3 | 'at=0.1:stepz=3'",
        "at=0.1:steps=2.5 | 'at=0.1:steps=2.5'",
        "ls=0.5,ls=0.6 | 'ls=0.6'",
        "ls=0.5,als=0.3 | both set the targets",
        "plain,gn=0.3 | 'plain'",
        "ls=0.5, | malformed",
        "clp=-1 | 'clp=-1'",
        "alp=0 | 'alp=0'",
        "alp=0.5:eps=2 | 'alp=0.5:eps=2'",
        "alp=0.5:foo=1 | 'alp=0.5:foo=1'",
        "at=0.1:eps=0.2 | 'at=0.1:eps=0.2'",
        "alp=0.5,at=0.1 | already trains on PGD examples",
        "alp=0.5,clp=0.5 | choose one of alp and clp",
        "clp=0.5:steps=3 | only gn, at and alp take options",
        "gn=0.5:clip=2 | clip must be 0 or 1",
        "lsqk=x | 'lsqk=x'",
    })
    void errorsNameTheOffendingTerm(String spec, String named) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Defense.parse(spec));
        assertTrue(e.getMessage().contains(named), () -> "'" + e.getMessage() + "' should name " + named);
    }
}
