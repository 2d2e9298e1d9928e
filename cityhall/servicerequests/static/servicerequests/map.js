/* A small slippy map for service requests, only when the city configured a tile server.
   Progressive enhancement: without JavaScript (or without tiles) the page works with the
   coordinate and address fields alone. Pick mode fills the lat/long fields on click;
   show mode draws the requests listed on the page. No library, nothing from a CDN. */
(function () {
  "use strict";
  var TILE = 256;

  function project(lat, lon, zoom) {
    var scale = TILE * Math.pow(2, zoom);
    var sin = Math.sin(lat * Math.PI / 180);
    return {
      x: (lon + 180) / 360 * scale,
      y: (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * scale
    };
  }

  function unproject(x, y, zoom) {
    var scale = TILE * Math.pow(2, zoom);
    var lon = x / scale * 360 - 180;
    var n = Math.PI - 2 * Math.PI * y / scale;
    var lat = 180 / Math.PI * Math.atan(0.5 * (Math.exp(n) - Math.exp(-n)));
    return { lat: lat, lon: lon };
  }

  function Map(element) {
    this.el = element;
    this.tiles = element.getAttribute("data-tiles");
    this.mode = element.getAttribute("data-mode");
    this.zoom = this.mode === "pick" ? 16 : 13;
    this.center = { lat: parseFloat(element.getAttribute("data-lat")), lon: parseFloat(element.getAttribute("data-long")) };
    var pointsNode = document.getElementById("map-points");
    this.points = pointsNode ? JSON.parse(pointsNode.textContent || "null") || [] : [];
    this.latInput = document.getElementById("id_lat");
    this.lonInput = document.getElementById("id_long");
    if (this.latInput && this.latInput.value && this.lonInput.value) {
      this.center = { lat: parseFloat(this.latInput.value), lon: parseFloat(this.lonInput.value) };
      this.chosen = this.center;
    }
    element.hidden = false;
    element.setAttribute("role", "application");
    element.setAttribute("aria-label", element.getAttribute(this.mode === "pick" ? "data-label-pick" : "data-label-show"));
    this.layer = document.createElement("div");
    element.appendChild(this.layer);
    this.controls();
    this.listen();
    this.draw();
  }

  Map.prototype.controls = function () {
    var self = this;
    var box = document.createElement("div");
    box.className = "map-controls";
    [["+", "data-label-zoom-in", 1], ["\u2212", "data-label-zoom-out", -1]].forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = spec[0];
      button.setAttribute("aria-label", self.el.getAttribute(spec[1]));
      button.addEventListener("click", function (event) {
        event.stopPropagation();
        self.zoom = Math.max(3, Math.min(19, self.zoom + spec[2]));
        self.draw();
      });
      box.appendChild(button);
    });
    this.el.appendChild(box);
    var credit = this.el.getAttribute("data-attribution");
    if (credit) {
      var note = document.createElement("div");
      note.className = "map-attribution";
      note.textContent = credit;
      this.el.appendChild(note);
    }
  };

  Map.prototype.listen = function () {
    var self = this;
    var drag = null;
    this.el.addEventListener("pointerdown", function (event) {
      drag = { x: event.clientX, y: event.clientY, moved: false, center: self.center };
    });
    this.el.addEventListener("pointermove", function (event) {
      if (!drag) { return; }
      var dx = event.clientX - drag.x, dy = event.clientY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 4) { drag.moved = true; }
      if (drag.moved) {
        var origin = project(drag.center.lat, drag.center.lon, self.zoom);
        var moved = unproject(origin.x - dx, origin.y - dy, self.zoom);
        self.center = { lat: moved.lat, lon: moved.lon };
        self.draw();
      }
    });
    this.el.addEventListener("pointerup", function (event) {
      if (drag && !drag.moved && self.mode === "pick" && self.latInput) {
        var box = self.el.getBoundingClientRect();
        var c = project(self.center.lat, self.center.lon, self.zoom);
        var spot = unproject(c.x + event.clientX - box.left - box.width / 2, c.y + event.clientY - box.top - box.height / 2, self.zoom);
        self.chosen = spot;
        self.latInput.value = spot.lat.toFixed(6);
        self.lonInput.value = spot.lon.toFixed(6);
        self.draw();
      }
      drag = null;
    });
  };

  Map.prototype.draw = function () {
    var width = this.el.clientWidth, height = this.el.clientHeight;
    var c = project(this.center.lat, this.center.lon, this.zoom);
    var left = c.x - width / 2, top = c.y - height / 2;
    var count = Math.pow(2, this.zoom);
    // Elements and CSSOM positions, not HTML strings: the CSP forbids inline style attributes.
    while (this.layer.firstChild) { this.layer.removeChild(this.layer.firstChild); }
    for (var tx = Math.floor(left / TILE); tx <= Math.floor((left + width) / TILE); tx++) {
      for (var ty = Math.floor(top / TILE); ty <= Math.floor((top + height) / TILE); ty++) {
        if (ty < 0 || ty >= count) { continue; }
        var wrapped = ((tx % count) + count) % count;
        var tile = document.createElement("img");
        tile.className = "tile";
        tile.alt = "";
        tile.src = this.tiles.replace("{z}", this.zoom).replace("{x}", wrapped).replace("{y}", ty).replace("{s}", "a");
        tile.style.left = Math.round(tx * TILE - left) + "px";
        tile.style.top = Math.round(ty * TILE - top) + "px";
        this.layer.appendChild(tile);
      }
    }
    var self = this;
    function pin(lat, lon, className, title, href) {
      var p = project(lat, lon, self.zoom);
      var node = document.createElement(href ? "a" : "span");
      node.className = className;
      if (href) { node.href = href; }
      if (title) { node.title = title; node.setAttribute("aria-label", title); }
      node.style.left = Math.round(p.x - left) + "px";
      node.style.top = Math.round(p.y - top) + "px";
      self.layer.appendChild(node);
    }
    this.points.forEach(function (point) {
      pin(point.lat, point.long, "pin", point.reference + ": " + point.service, "/requests/" + point.reference + "/");
    });
    if (this.chosen) { pin(this.chosen.lat, this.chosen.lon, "pin pin-chosen", "", null); }
  };

  document.querySelectorAll(".map[data-tiles]").forEach(function (element) { new Map(element); });
}());
