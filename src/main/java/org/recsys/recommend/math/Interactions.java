package org.recsys.recommend.math;

import java.util.Arrays;

/**
 * A sparse interaction matrix in compressed rows: row r's columns are {@code indices[indptr[r] .. indptr[r+1])} with
 * strengths {@code values} (r_ui ≥ 0). Rows are users and columns items, or the transpose.
 */
public record Interactions(int rows, int cols, int[] indptr, int[] indices, float[] values) {

    public Interactions {
        if (indptr.length != rows + 1 || indices.length != values.length || indptr[rows] != indices.length) {
            throw new IllegalArgumentException("inconsistent compressed rows");
        }
    }

    /** Builds the matrix from (row, col, value) triples; repeated cells add up. */
    public static Interactions fromTriples(int rows, int cols, int[] rowOf, int[] colOf, float[] valueOf) {
        int n = rowOf.length;
        int[] counts = new int[rows + 1];
        for (int t = 0; t < n; t++) {
            counts[rowOf[t] + 1]++;
        }
        for (int r = 0; r < rows; r++) {
            counts[r + 1] += counts[r];
        }
        int[] next = Arrays.copyOf(counts, rows);
        int[] cols0 = new int[n];
        float[] vals0 = new float[n];
        for (int t = 0; t < n; t++) {
            int at = next[rowOf[t]]++;
            cols0[at] = colOf[t];
            vals0[at] = valueOf[t];
        }
        // sort each row by column and merge duplicates
        int[] indptr = new int[rows + 1];
        int[] indices = new int[n];
        float[] values = new float[n];
        int out = 0;
        for (int r = 0; r < rows; r++) {
            int from = counts[r];
            int to = counts[r + 1];
            Integer[] order = new Integer[to - from];
            for (int i = 0; i < order.length; i++) {
                order[i] = from + i;
            }
            Arrays.sort(order, (a, b) -> Integer.compare(cols0[a], cols0[b]));
            int rowStart = out;
            for (int i : order) {
                if (out > rowStart && indices[out - 1] == cols0[i]) {
                    values[out - 1] += vals0[i];
                } else {
                    indices[out] = cols0[i];
                    values[out] = vals0[i];
                    out++;
                }
            }
            indptr[r + 1] = out;
        }
        return new Interactions(rows, cols, indptr, Arrays.copyOf(indices, out), Arrays.copyOf(values, out));
    }

    public int nnz() {
        return indices.length;
    }

    public Interactions transpose() {
        int[] rowOf = new int[nnz()];
        for (int r = 0; r < rows; r++) {
            for (int p = indptr[r]; p < indptr[r + 1]; p++) {
                rowOf[p] = r;
            }
        }
        return fromTriples(cols, rows, indices, rowOf, values);
    }
}
