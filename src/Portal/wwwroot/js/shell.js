// The app shell's two browser-side habits: the chosen theme outlives the page (a cookie the server reads when it
// renders the next one), and Escape closes the navigation drawer where it covers the page (phones).
export function rememberTheme(theme) {
    const secure = location.protocol === "https:" ? "; secure" : "";
    document.cookie = `portal-theme=${theme}; path=/; max-age=31536000; samesite=lax${secure}`;
}

export function closeDrawerOnEscape() {
    if (document.documentElement.dataset.drawerEscape) {
        return;
    }

    document.documentElement.dataset.drawerEscape = "true";
    document.addEventListener("keydown", event => {
        const overlay = document.querySelector(".portal-drawer-overlay");
        if (event.key === "Escape" && !event.defaultPrevented && overlay && getComputedStyle(overlay).display !== "none") {
            overlay.click();
            document.getElementById("nav-toggle")?.focus();
        }
    });
}
