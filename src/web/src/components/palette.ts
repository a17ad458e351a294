/** Series colours in order, the same on every chart so a series keeps its colour across kinds. */
export const palette = ['#4f46e5', '#0891b2', '#db2777', '#ca8a04', '#16a34a', '#9333ea', '#ea580c', '#475569'];
