package io.kvdb.gateway.web;

import com.linecorp.armeria.common.ServerCacheControl;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.file.FileService;
import com.linecorp.armeria.server.file.HttpFile;

/**
 * The web page: static files from the jar ({@code src/main/resources/web}), no build step. The page
 * at {@code /} loads its script and styles from {@code /ui/} and talks to the API with same-origin
 * relative URLs, so it works behind any host name or port.
 */
public final class WebPage {
  private static final String ROOT = "web";

  private WebPage() {}

  /** Serves {@code /} (the page) and {@code /ui/*} (its assets). */
  public static void configure(ServerBuilder sb) {
    ClassLoader loader = WebPage.class.getClassLoader();
    // Revalidated on every load: a new gateway version is picked up without a hard refresh.
    HttpFile page = HttpFile.builder(loader, ROOT + "/index.html").cacheControl(ServerCacheControl.REVALIDATED).build();
    sb.service("/", page.asService());
    sb.serviceUnder("/ui/", FileService.builder(loader, ROOT).cacheControl(ServerCacheControl.REVALIDATED).build());
  }
}
