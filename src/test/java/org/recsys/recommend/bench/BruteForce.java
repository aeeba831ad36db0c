package org.recsys.recommend.bench;

import java.util.Arrays;

/**
 * The exact collaborative top-k computed in the benchmark itself from the generated vectors: every item's dot product
 * with the user vector, history excluded, ties broken by item number. The oracle the plugin's exact path is checked against.
 */
final class BruteForce {

    private final float[] matrix;
    private final int dims;

    BruteForce(float[] matrix, int dims) {
        this.matrix = matrix;
        this.dims = dims;
    }

    /** Fills the row-major matrix of all items' factors. */
    static float[] matrixOf(SyntheticCatalogue catalogue) {
        int dims = SyntheticCatalogue.DIMS;
        float[] matrix = new float[catalogue.size() * dims];
        for (int i = 0; i < catalogue.size(); i++) {
            System.arraycopy(catalogue.factors(i), 0, matrix, i * dims, dims);
        }
        return matrix;
    }

    /** Item numbers of the top {@code k} by dot product, best first. */
    int[] topK(float[] user, int[] excluded, int k) {
        int[] excludedSorted = excluded.clone();
        Arrays.sort(excludedSorted);
        int items = matrix.length / dims;
        // A min-heap of the best k so far, by (score, then lower item number wins).
        float[] heapScore = new float[k];
        int[] heapItem = new int[k];
        int size = 0;
        for (int i = 0; i < items; i++) {
            float score = 0;
            int base = i * dims;
            for (int d = 0; d < dims; d++) {
                score += user[d] * matrix[base + d];
            }
            if (size == k && score <= heapScore[0]) {
                continue;
            }
            if (Arrays.binarySearch(excludedSorted, i) >= 0) {
                continue;
            }
            if (size < k) {
                heapScore[size] = score;
                heapItem[size] = i;
                siftUp(heapScore, heapItem, size++);
            } else {
                heapScore[0] = score;
                heapItem[0] = i;
                siftDown(heapScore, heapItem, size);
            }
        }
        Integer[] order = new Integer[size];
        for (int j = 0; j < size; j++) {
            order[j] = j;
        }
        Arrays.sort(order, (a, b) -> heapScore[a] != heapScore[b] ? Float.compare(heapScore[b], heapScore[a]) : heapItem[a] - heapItem[b]);
        return Arrays.stream(order).mapToInt(j -> heapItem[j]).toArray();
    }

    private static void siftUp(float[] score, int[] item, int j) {
        while (j > 0) {
            int parent = (j - 1) / 2;
            if (score[parent] <= score[j]) {
                return;
            }
            swap(score, item, parent, j);
            j = parent;
        }
    }

    private static void siftDown(float[] score, int[] item, int size) {
        int j = 0;
        while (true) {
            int smallest = j;
            int left = 2 * j + 1;
            int right = left + 1;
            if (left < size && score[left] < score[smallest]) {
                smallest = left;
            }
            if (right < size && score[right] < score[smallest]) {
                smallest = right;
            }
            if (smallest == j) {
                return;
            }
            swap(score, item, smallest, j);
            j = smallest;
        }
    }

    private static void swap(float[] score, int[] item, int a, int b) {
        float s = score[a];
        score[a] = score[b];
        score[b] = s;
        int t = item[a];
        item[a] = item[b];
        item[b] = t;
    }
}
