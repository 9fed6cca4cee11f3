package dev.logitlab.service;

/** A request value that cannot be used; the 400 answer names {@link #field()}. */
public final class InvalidFieldException extends RuntimeException {

    private final String field;

    public InvalidFieldException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
