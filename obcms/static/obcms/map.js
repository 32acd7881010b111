// Maps: the /map/ page (every community of a filter, clustered) and the small map of a
// community page. Leaflet and Leaflet.markercluster are vendored in static/vendor/ (the CSP
// allows scripts from our origin only). Tiles come from MAP_TILES_URL; when they cannot be
// reached the markers still show on the map's plain background.
(() => {
  "use strict";
  const MINDANAO = [7.6, 124.2];
  // A symbol per status as well as a colour, so the map reads without colour.
  const SYMBOLS = {
    verification: ["?", "✓", "!"], // unverified, verified, needs review
    needs: ["0", "1", "2"], // never assessed, needs identified, needs validated
  };

  function baseMap(element, options) {
    const map = L.map(element, options);
    L.tileLayer(element.dataset.tiles, {
      attribution: element.dataset.attribution,
      maxZoom: 18,
    }).addTo(map);
    return map;
  }

  function icon(mode, code) {
    return L.divIcon({
      className: `marker marker-${mode}-${code}`,
      html: `<span>${SYMBOLS[mode][code]}</span>`,
      iconSize: [22, 22],
    });
  }

  function colourMode() {
    const checked = document.querySelector('input[name="colour"]:checked');
    if (checked) return checked.value === "needs" ? "needs" : "verification";
    const first = document.querySelector('input[name="colour"][value="verification"]');
    if (first) first.checked = true;
    return "verification";
  }

  function line(text) {
    const div = document.createElement("div");
    div.textContent = text;
    return div;
  }

  // Built from text nodes: names come from users and are never parsed as HTML.
  function popup(data, i, urls) {
    const link = document.createElement("a");
    link.href = urls.communityUrl.replace("/0/", `/${data.id[i]}/`);
    link.textContent = data.name[i];
    const title = document.createElement("strong");
    title.append(link);
    const [barangay, town, code] = data.places[data.place[i]];
    const profile = document.createElement("a");
    profile.href = urls.placeUrl.replace("/0000000000/", `/${code}/`);
    profile.textContent = town;
    const where = document.createElement("div");
    where.append(`${barangay}, `, profile);
    const population = data.population[i];
    const box = document.createElement("div");
    box.append(
      title,
      where,
      line(population === null ? "Population not known" : `Population ${population.toLocaleString()}`),
      line(`${data.verification_labels[data.verification[i]]} · ${data.needs_labels[data.needs[i]]}`),
    );
    return box;
  }

  function legend(element, mode, data, shown) {
    const labels = data[`${mode}_labels`];
    const counts = labels.map(() => 0);
    shown.forEach((i) => { counts[data[mode][i]] += 1; });
    const list = document.createElement("ul");
    labels.forEach((label, code) => {
      const item = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = `marker marker-${mode}-${code}`;
      swatch.textContent = SYMBOLS[mode][code];
      item.append(swatch, ` ${label} (${counts[code].toLocaleString()})`);
      list.append(item);
    });
    element.replaceChildren(list);
  }

  async function drawMap(element) {
    const status = document.getElementById("map-status");
    const legendBox = document.getElementById("map-legend");
    const map = baseMap(element, {}).setView(MINDANAO, 7);
    let data;
    try {
      const response = await fetch(element.dataset.markers, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      data = await response.json();
    } catch (error) {
      status.textContent = "The communities could not be loaded. Reload the page to try again.";
      element.dataset.state = "failed";
      return;
    }
    let mode = colourMode();
    // One list per field (see obcms/places/markers.py); coordinates are whole numbers of
    // 1/scale degree, null where neither the community nor its barangay has any.
    const shown = data.id.map((_, i) => i).filter((i) => data.lat[i] !== null);
    const points = shown.map((i) => [data.lat[i] / data.scale, data.lng[i] / data.scale]);
    const markers = shown.map((i, n) => {
      const marker = L.marker(points[n], { icon: icon(mode, data[mode][i]), title: data.name[i] });
      marker.bindPopup(() => popup(data, i, element.dataset));
      marker.index = i;
      return marker;
    });
    if (markers.length) {
      // Not animated: clusters are then drawn once, at the final zoom.
      map.fitBounds(L.latLngBounds(points), { padding: [24, 24], maxZoom: 14, animate: false });
    }
    const total = markers.length;
    const cluster = L.markerClusterGroup({
      chunkedLoading: true,
      showCoverageOnHover: false,
      chunkProgress: (done) => {
        if (done < total) {
          status.textContent = `Placing the communities… ${done.toLocaleString()} of ${total.toLocaleString()}`;
          return;
        }
        element.dataset.state = "ready";
        const unplaced = data.unplaced ? ` (${data.unplaced} without a known place)` : "";
        status.textContent = `${total.toLocaleString()} communit${total === 1 ? "y" : "ies"} on the map${unplaced}. Click a number to zoom in, a marker for its community.`;
      },
    });
    map.addLayer(cluster);
    cluster.addLayers(markers);
    if (!total) {
      element.dataset.state = "ready";
      status.textContent = "No community matches these filters.";
    }
    element.dataset.markerCount = String(total);
    legend(legendBox, mode, data, shown);
    document.querySelectorAll('input[name="colour"]').forEach((radio) => {
      radio.addEventListener("change", () => {
        mode = colourMode();
        markers.forEach((marker) => marker.setIcon(icon(mode, data[mode][marker.index])));
        cluster.refreshClusters();
        legend(legendBox, mode, data, shown);
      });
    });
  }

  function drawMiniMap(element) {
    const point = [Number(element.dataset.lat), Number(element.dataset.lng)];
    const map = baseMap(element, { scrollWheelZoom: false }).setView(point, 13);
    const here = L.divIcon({ className: "marker marker-here", html: "", iconSize: [22, 22] });
    L.marker(point, { icon: here, title: element.dataset.label, keyboard: false }).addTo(map);
    element.dataset.state = "ready";
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (typeof L === "undefined") return;
    const full = document.getElementById("map");
    if (full) drawMap(full);
    document.querySelectorAll("[data-mini-map]").forEach(drawMiniMap);
  });
})();
