package gantt

// TextWidth is the estimate of a tick label's width the layout keeps apart.
var TextWidth = textWidth
