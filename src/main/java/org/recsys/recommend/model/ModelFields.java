package org.recsys.recommend.model;

/**
 * The fields that hold one version of a trained model: item factors, neighbor lists and popularity, and user vectors. A
 * model has two such sets ({@link #SLOTS}): queries and fold-in read the serving one named by the model's state, and a
 * training writes the other, then switches to it in the same cluster-state update that stores its Gramian. A training that
 * fails before that update leaves what is served as it was. Slot 0 is the configured names, slot 1 the same names with
 * {@value #SECOND_SLOT_SUFFIX} appended.
 */
public record ModelFields(int slot, String itemFactors, String neighbors, String popularity, String userFactors) {

    public static final int SLOTS = 2;
    public static final String SECOND_SLOT_SUFFIX = "_alt";

    static ModelFields of(int slot, ItemsConfig items, UsersConfig users) {
        if (slot == 0) {
            return new ModelFields(0, items.factors(), items.neighbors(), items.popularity(), users.factors());
        }
        return new ModelFields(slot, items.factors() + SECOND_SLOT_SUFFIX, items.neighbors() + SECOND_SLOT_SUFFIX,
            items.popularity() + SECOND_SLOT_SUFFIX, users.factors() + SECOND_SLOT_SUFFIX);
    }

    /** The item field of this slot for a configured name ({@code items.factors}, neighbors or popularity); others unchanged. */
    public String itemField(ItemsConfig items, String configured) {
        if (configured.equals(items.factors())) {
            return itemFactors;
        } else if (configured.equals(items.neighbors())) {
            return neighbors;
        } else if (configured.equals(items.popularity())) {
            return popularity;
        }
        return configured;
    }
}
