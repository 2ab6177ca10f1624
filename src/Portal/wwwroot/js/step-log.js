// A step's log panel keeps showing the newest line while the reader is at the bottom, and stays put once they
// scroll up to read (until they scroll back down).
export function attach(box) {
    if (!box || box.dataset.follow) {
        return;
    }

    box.dataset.follow = "true";
    box.addEventListener("scroll", () => {
        box.dataset.follow = box.scrollHeight - box.scrollTop - box.clientHeight < 24 ? "true" : "false";
    });
}

export function follow(box) {
    if (box && box.dataset.follow !== "false") {
        box.scrollTop = box.scrollHeight;
    }
}
