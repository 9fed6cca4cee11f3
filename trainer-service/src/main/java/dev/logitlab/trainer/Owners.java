package dev.logitlab.trainer;

import dev.logitlab.events.Roles;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;

/** Only who submitted something, or an operator, may cancel it. */
final class Owners {

    private Owners() {
    }

    static void require(SecurityIdentity caller, String submittedBy, String what) {
        if (!caller.hasRole(Roles.OPERATOR) && !caller.getPrincipal().getName().equals(submittedBy)) {
            throw new ForbiddenException("only the submitter of " + what + " or an operator may cancel it");
        }
    }
}
