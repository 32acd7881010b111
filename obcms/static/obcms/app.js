// Progressive enhancement only: every page works without this file.
// The barangay select follows the chosen city or municipality.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("select[data-barangays-for]").forEach((barangay) => {
    const municipality = document.getElementById(barangay.dataset.barangaysFor);
    if (!municipality) return;
    municipality.addEventListener("change", async () => {
      barangay.replaceChildren(new Option("---------", ""));
      if (!municipality.value) return;
      const url = `/communities/barangays.json?municipality=${encodeURIComponent(municipality.value)}`;
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok) return;
      const { barangays } = await response.json();
      barangays.forEach(({ id, name }) => barangay.add(new Option(name, id)));
    });
  });
});
