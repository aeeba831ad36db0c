package org.recsys.recommend.train;

import org.elasticsearch.action.ActionListener;
import org.recsys.recommend.model.RecommendModel;

/**
 * Where a training stores the model it built: the action layer, which owns the model API, implements it (so that the
 * trainer does not reach back up into the actions that start it).
 */
@FunctionalInterface
public interface ModelStore {

    /**
     * Stores {@code trained} (its new state, and what a tuning or the data chose); refused when the model no longer serves
     * {@code computedFromSlot}, the slot the training read while building the other one.
     */
    void store(RecommendModel trained, int computedFromSlot, boolean chosenSettings, ActionListener<Void> listener);
}
