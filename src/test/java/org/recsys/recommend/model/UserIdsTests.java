package org.recsys.recommend.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class UserIdsTests {

    @Test
    void idsFollowTheRulesOfIdCountedInUtf8Bytes() {
        assertNull(UserIds.problem("u42"));
        assertNull(UserIds.problem("x".repeat(512)));
        assertEquals("must be a non-empty string", UserIds.problem(""));
        assertEquals("must be at most 512 bytes long (a profile's _id), got 513 bytes", UserIds.problem("x".repeat(513)));
        // 171 three-byte characters: 513 bytes in 171 chars
        assertEquals("must be at most 512 bytes long (a profile's _id), got 513 bytes", UserIds.problem("€".repeat(171)));
    }
}
