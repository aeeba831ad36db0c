package org.recsys.recommend.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares the real node a test class needs. Without it a class gets the shared node with security off. Classes that
 * declare the same configuration share one node.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface RealNodeConfig {

    /** Security on, with the file-realm users and roles below (and {@link NodeSpec#ADMIN}). */
    boolean security() default false;

    /**
     * Classpath resource holding {@code roles.yml} content for a secured node, or a page of the docs ({@code docs/…md}),
     * whose first {@code yaml} block is used.
     */
    String roles() default "";

    /** Users as {@code name:password:role1,role2}. */
    String[] users() default {};

    /** A name that gives the classes declaring it a node of their own (a blank cluster), instead of sharing one by spec. */
    String node() default "";

    /** Also install the test-only plugin that answers {@code GET /}, for clients that ask it first, like the Spark connector. */
    boolean rootInfo() default false;
}
